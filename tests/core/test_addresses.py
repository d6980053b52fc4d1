"""Addresses and hosts: one answer for validate, the scan and the connection alike."""

from __future__ import annotations

import pytest

from followupd.core.addresses import bare_host, domain_of, is_loopback


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.1.2.3", "::1", "[::1]", " [::1] ", "mail.localhost"])
def test_loopback_hosts_are_recognised_in_every_spelling(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["imap.gmail.com", "10.0.0.1", "[2001:db8::1]", "localhost.example.com", "", "[", "::2"])
def test_other_hosts_are_not_loopback(host):
    assert not is_loopback(host)


def test_a_bracketed_ipv6_literal_loses_its_brackets_for_the_socket():
    assert (bare_host("[::1]"), bare_host("::1"), bare_host("imap.example")) == ("::1", "::1", "imap.example")


@pytest.mark.parametrize(
    ("address", "domain"),
    [("Dana@Acme.Example", "acme.example"), ("a@b@c.example", "c.example"), ("acme.example", ""), ("", "")],
)
def test_domain_of_an_address_and_of_a_bare_word(address, domain):
    assert domain_of(address) == domain
