"""Offline spell-checking of drafted text; it warns and never blocks a draft."""

from __future__ import annotations

import functools
import re
from typing import Iterable

from spellchecker import SpellChecker

# Everyday words of this domain that pyspellchecker's English list lacks.
EXTRA_WORDS = ("voicemail", "voicemails", "email", "emails", "followupd")

ADDRESS_OR_LINK = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+", re.IGNORECASE)
TOKEN = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")  # letters and digits, inner ' and -
SENTENCE_BREAKS = ".!?:;…\n"


@functools.lru_cache(maxsize=1)
def english_dictionary() -> SpellChecker:
    """The English word list, loaded on first use because loading takes a moment."""
    checker = SpellChecker(language="en")
    checker.word_frequency.load_words(EXTRA_WORDS)
    return checker


def spelling_warnings(text: str, allowed_words: Iterable[str]) -> tuple[str, ...]:
    """Warnings for words in text that look misspelled, skipping the allowed ones."""
    allowed = {word.lower() for phrase in allowed_words for word in words_of(phrase)}
    candidates = [word for word in checkable_words(text) if word.lower() not in allowed]
    if not candidates:
        return ()
    checker = english_dictionary()
    unknown = checker.unknown(candidates)
    warnings: list[str] = []
    for word in dict.fromkeys(word for word in candidates if word.lower() in unknown):
        suggestion = checker.correction(word.lower())
        helpful = suggestion and suggestion != word.lower()
        hint = f' (did you mean "{suggestion}"?)' if helpful else ""
        warnings.append(f'possible misspelling "{word}"{hint}')
    return tuple(warnings)


def words_of(text: str) -> list[str]:
    """The plain words of text, hyphenated compounds split into their parts."""
    return [part for token in TOKEN.findall(text) for part in token.split("-") if part]


def checkable_words(text: str) -> list[str]:
    """Words worth a dictionary look-up, in order of appearance."""
    text = ADDRESS_OR_LINK.sub(" ", text)
    words: list[str] = []
    for match in TOKEN.finditer(text):
        token = match.group()
        if any(character.isdigit() for character in token) or "'" in token or "’" in token:
            continue  # numbers ("Q4", "2nd") and contractions are not dictionary words
        before = text[: match.start()].rstrip(" \t\"'“‘(")
        starts_sentence = not before or before[-1] in SENTENCE_BREAKS
        for part in token.split("-"):
            if is_checkable(part, starts_sentence):
                words.append(part)
    return words


def is_checkable(word: str, starts_sentence: bool) -> bool:
    """Whether word is a common word rather than a name, an acronym or a letter."""
    if len(word) < 2 or word.isupper():
        return False
    # A capital in mid-sentence most likely marks a proper noun the dictionary lacks.
    return starts_sentence or not word[0].isupper()
