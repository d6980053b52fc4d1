"""What an inbound message means for a follow-up sequence, read from plain values (pure).

Checked in this order; the first match wins. Exceptions to the order: a
rejection (3) wins over auto-reply markers unless the subject is an
out-of-office one, and a next step (4) wins over them unless the message is a
person's out-of-office (`Auto-Submitted: auto-replied`, `X-Autoreply`,
`X-Autorespond`, or an out-of-office subject) — tracking and scheduling
systems mark real decisions and invitations auto-generated or bulk.

1. OWN: the sender is the user's address or an alias (any case), or the message
   carries `X-Followupd-Key` (one of followupd's own drafts).
2. AUTO_REPLY, from headers: `Auto-Submitted` with any value but `no`
   (parameters and comments ignored, RFC 3834); `X-Autoreply` or
   `X-Autorespond` with any value but empty or `no`; `Precedence: auto_reply`,
   `bulk` or `junk`. `X-Auto-Response-Suppress`, `List-Id` and
   `List-Unsubscribe` are NOT markers: Exchange and newsletters set them on
   ordinary mail, and recruiting systems send real decisions with them.
   From the subject, at its start after any `Re:`/`AW:`/`Fwd:` prefixes:
   "Out of office", "Out of the office", "Automatic reply", "Auto-reply",
   "Autoreply", "Auto Reply", "Auto-response", "Abwesenheitsnotiz",
   "Automatische Antwort", "Réponse automatique", "Absent du bureau",
   "Respuesta automática", "Fuera de la oficina", "Risposta automatica",
   "Automatisch antwoord", "Autosvar", "I am/I'm/I will be out of the office",
   "On vacation", "On holiday", "On leave", "Away from the office".
3. REJECTION, in the visible text (quoted history and signature removed) and
   the subject unless it is a `Re:`/`Fwd:` echo of an earlier one. One strong
   cue: "decided / moving forward / chosen / selected / pursuing / moving on /
   progressing / offered … other candidates, another candidate, other
   applicants", "moving forward with candidates", "hired / went with / chosen
   someone else", "not (to) move forward", "not (be) moving forward", "won't /
   will not be moving forward, proceeding, progressing, advancing, extending an
   offer, offering you", "not proceed with", "decided to pursue other…",
   "decided to go with another…", "go in a different direction", "the
   position / role has been filled", "regret to inform", "you were not
   selected", "not selected for", "your application was unsuccessful", "more
   closely match / align", "unable / won't be able to offer you the position",
   "not taking your application further". Or two different weak cues:
   "unfortunately", "regret", "after careful consideration", "disappointing",
   "not the right fit", "keep your résumé on file", "best of luck", "wish you
   the best", "future endeavors", "other candidates", "better meet / match /
   suit". So a lone "unfortunately", or "still talking to other candidates",
   is not a rejection.
4. NEXT_STEP, in the same text: "next round / step / stage / interview",
   "second / third / final round or interview", "another interview /
   conversation / call", "follow-up interview", "schedule" (and scheduling,
   reschedule), "availability", "are / would you be available or free",
   "calendar invite", "Calendly", "offer", "pleased to", "delighted to",
   "would like to invite", "invite you", "reference check", "references",
   "background check", "move forward with you", "onsite", "meet the team",
   "set up a call / time / meeting / chat".
5. ACKNOWLEDGMENT: visible text under 400 characters with no decision cue and
   no question, that either answers one of `own_message_ids` (the caller passes
   the user's thank-you notes; a threaded reply to anything else is never an
   acknowledgment) or, carrying no threading headers at all, has a `Re:`
   subject and thanks ("thank", "appreciate", "great meeting", "pleasure",
   "in touch").
6. OTHER: anything else.
"""

from __future__ import annotations

import re
import unicodedata

from followupd.model import Message, Reply

ACKNOWLEDGMENT_MAX_LENGTH = 400

_SUBJECT_PREFIX = re.compile(
    r"^(?:\s*(?:re|aw|sv|vs|antw|réf|fw|fwd|wg|tr|rv)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|sv|antw|réf)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)
_AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond")
_AUTO_REPLY_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk"})
# Anchored at the start: a person may well mention an absence mid-subject.
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\[?(?:out of (?:the )?office|automatic reply|auto[- ]?repl(?:y|ied)"
    r"|auto[- ]?response|abwesenheitsnotiz|automatische antwort|abwesend"
    r"|réponse automatique|absente? du bureau|respuesta automática"
    r"|fuera de la oficina|risposta automatica|fuori ufficio"
    r"|automatisch antwoord|autosvar|away from (?:the )?office"
    r"|(?:i am|i'm|i will be) (?:out of (?:the )?office|away|on (?:vacation|holiday|leave))"
    r"|on (?:vacation|holiday|leave)\b)"
)

_QUOTE_SEPARATORS = (
    re.compile(
        r"^-{2,}\s*(?:original message|ursprüngliche nachricht"
        r"|message d'origine|mensaje original|forwarded message)\s*-{2,}$"
    ),
    re.compile(r"^_{20,}$"),  # the rule Outlook draws above the quoted header block
)
# Every client writes a date into its attribution line; requiring a digit keeps
# sentences like "On reflection, I wrote:" in the reply.
_ATTRIBUTIONS = (
    re.compile(r"^on\b.*\d.*\bwrote:$"),
    re.compile(r"^le\b.*\d.*\ba écrit ?:$"),
    re.compile(r"^am\b.*\d.*\bschrieb\b.*:$"),
    re.compile(r"^el\b.*\d.*\bescribió:$"),
)
_HEADER_FROM = re.compile(r"^\*?(?:from|von|de|da|van)\s*\*?\s*:")
_HEADER_FOLLOWING = re.compile(
    r"^\*?(?:sent|date|to|gesendet|datum|an|envoyé|à|enviado|fecha|para)\s*\*?\s*:"
)

# Each strong cue names the decision, not merely the topic: "other candidates"
# alone also appears in "we are still speaking to other candidates".
_STRONG_REJECTION = re.compile(
    r"(?:\bforward|\bdecided|\bchosen|\bchose|\bselected|\bpursue|\bpursuing|\bmov(?:e|ing) on"
    r"|\bprogress(?:ing)?|\boffer(?:ed)?)\b[^.]{0,40}"
    r"\b(?:other|another|a different|an internal) (?:candidates?|applicants?|profiles?)"
    r"|\bforward with (?:a |the )?candidates?\b"
    r"|\b(?:hire|hired|hiring|go with|gone with|went with|chosen|chose|selected) someone else"
    r"|\boffer(?:ed)? (?:the|this) (?:position|role|job) to someone else"
    r"|not (?:to )?move forward|not (?:be )?moving forward"
    r"|(?:won't|will not|not) be (?:moving forward|proceeding|progressing|advancing"
    r"|extending (?:an|you an) offer|offering you)"
    r"|not (?:to )?proceed with|decided not to proceed"
    r"|decided to pursue (?:other|another|a different|candidates)"
    r"|decided to go with (?:another|a different|other|someone|an internal|a candidate)"
    r"|(?:go|going|gone|went|move|moving|take|taking) in a different direction"
    r"|(?:position|role|vacancy|job) has (?:now )?been filled"
    r"|regret to (?:inform|let you know|tell you)"
    r"|\bnot (?:been )?selected (?:for|to)\b"
    r"|\b(?:you|application|candidacy|profile) (?:were|was|has|have) not (?:been )?selected"
    r"|\b(?:you|application|candidacy|interview) (?:were|was|has been|have been|is) unsuccessful"
    r"|more closely (?:match|align)"
    r"|(?:(?:unable|not able|not be able|won't be able) to|cannot|can't) (?:offer|extend) you"
    r" (?:the|this|a|an) (?:position|role|job|offer|opportunity)"
    r"|not (?:be )?taking your (?:application|candidacy) further"
)
_WEAK_REJECTION = (
    re.compile(r"\bunfortunately\b"),
    re.compile(r"\bregret\b"),
    re.compile(r"\bafter (?:careful|much) (?:consideration|deliberation)\b"),
    re.compile(r"\bdisappointing\b|\bdisappoint you\b"),
    re.compile(r"\bnot (?:the|a) (?:right|good) (?:fit|match)\b"),
    re.compile(r"\b(?:keep|retain) your (?:resume|résumé|cv|details|information) on file\b"),
    re.compile(r"\bbest of luck\b|\bwish you (?:all )?(?:the best|luck|success|well)\b"),
    re.compile(r"\bfuture (?:endeavou?rs|opportunities)\b"),
    re.compile(r"\bother (?:candidates?|applicants?)\b"),
    re.compile(r"\bbetter (?:meet|meets|match|matches|suit|suits)\b"),
)
_NEXT_STEP = re.compile(
    r"\bnext (?:round|step|stage|interview)"
    r"|\b(?:second|third|final|2nd|3rd) (?:round|interview|stage)"
    r"|\banother (?:interview|conversation|call)|\bfollow-up interview"
    r"|\b(?:re)?schedul|\bavailabilit|\b(?:are|would) you (?:be )?(?:available|free)"
    r"|\bcalendar invit|\bcalendly\b|\boffer\b|\b(?:pleased|delighted) to\b"
    r"|\bwould like to invite\b|\binvite you\b"
    r"|\breference check|\breferences\b|\bbackground check"
    r"|\bmov(?:e|ing) forward with you|\bon-?site\b|\bmeet the team\b"
    r"|\bset up (?:a|an|some) (?:call|time|meeting|chat)"
)
_THANKS = re.compile(
    r"\bthank|\bthanks\b|\bappreciate|\bpleasure\b|\bin touch\b"
    r"|\b(?:great|nice|good|lovely) (?:meeting|speaking|talking|chatting|to meet|to speak)"
)


def is_auto_reply(message: Message) -> bool:
    """Whether headers or subject mark the message as sent by a machine on someone's behalf."""
    headers = message.headers
    if _first_token(headers.get("auto-submitted", "no")) not in ("", "no"):
        return True
    for name in _AUTO_REPLY_HEADERS:
        if name in headers and _first_token(headers[name]) not in ("", "no"):
            return True
    if _first_token(headers.get("precedence", "")) in _AUTO_REPLY_PRECEDENCE:
        return True
    return _has_auto_reply_subject(message)


def _has_auto_reply_subject(message: Message) -> bool:
    """Whether the subject reads like an out-of-office or automatic reply."""
    return bool(_AUTO_REPLY_SUBJECT.match(_normalized(_without_reply_prefix(message.subject))))


def is_own(message: Message, own_addresses: frozenset[str]) -> bool:
    """Whether the user sent the message, or it is one of followupd's drafts."""
    own = {address.strip().lower() for address in own_addresses}
    return message.sender.strip().lower() in own or message.followupd_key is not None


def visible_text(body: str) -> str:
    """The sender's own words: no quoted history, no signature."""
    lines = body.splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.rstrip() == "--" or _starts_quoted_history(lines, index):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
    return "\n".join(kept).strip()


def has_rejection(text: str) -> bool:
    """Whether the text turns the candidate down: one strong cue, or two different weak ones."""
    normalized = _normalized(text)
    if _STRONG_REJECTION.search(normalized):
        return True
    return sum(1 for cue in _WEAK_REJECTION if cue.search(normalized)) >= 2


def has_next_step(text: str) -> bool:
    """Whether the text moves the process on: another interview, scheduling, an offer, checks."""
    return bool(_NEXT_STEP.search(_normalized(text)))


def has_decision_words(text: str) -> bool:
    """Whether the text carries any rejection or next-step cue."""
    return has_rejection(text) or has_next_step(text)


def classify(
    message: Message,
    own_addresses: frozenset[str],
    own_message_ids: frozenset[str] = frozenset(),
) -> Reply:
    """What the message means for the sequence, by the ordered rules in the module docstring."""
    if is_own(message, own_addresses):
        return Reply.OWN
    text = _decision_text(message)
    if has_rejection(text) and not _has_auto_reply_subject(message):
        # Applicant-tracking systems send real rejections marked bulk or
        # auto-generated; missing one would mean a check-in after a "no".
        return Reply.REJECTION
    if has_next_step(text) and not _is_personal_auto_reply(message):
        # Invitations and offers from scheduling and tracking systems come marked
        # auto-generated or bulk; only a person's out-of-office is not an answer.
        return Reply.NEXT_STEP
    if is_auto_reply(message):
        return Reply.AUTO_REPLY
    if _is_acknowledgment(message, own_message_ids):
        return Reply.ACKNOWLEDGMENT
    return Reply.OTHER


def _is_personal_auto_reply(message: Message) -> bool:
    """An out-of-office or vacation reply on someone's behalf, as opposed to a system's mail."""
    headers = message.headers
    if _first_token(headers.get("auto-submitted", "")) == "auto-replied":
        return True
    if any(_first_token(headers.get(name, "no")) not in ("", "no") for name in _AUTO_REPLY_HEADERS):
        return True
    return _has_auto_reply_subject(message)


def _decision_text(message: Message) -> str:
    """The visible text, plus the subject unless it echoes an earlier message's."""
    words = visible_text(message.body)
    if _SUBJECT_PREFIX.match(message.subject):
        return words
    return f"{message.subject}\n{words}"


def _is_acknowledgment(message: Message, own_message_ids: frozenset[str]) -> bool:
    """Whether the message is a short, decision-free answer to something the user sent."""
    words = visible_text(message.body)
    if len(words) >= ACKNOWLEDGMENT_MAX_LENGTH or has_decision_words(words):
        return False
    if "?" in words:
        return False  # they asked the user something: the conversation has moved on
    thread_ids = {message.in_reply_to, *message.references} - {None, ""}
    if thread_ids:
        # Threaded: an acknowledgment only of the notes given (the thank-yous);
        # a short answer to a check-in is an answer.
        return bool(own_message_ids & thread_ids)
    is_reply = bool(_REPLY_SUBJECT.match(message.subject))
    return is_reply and bool(_THANKS.search(_normalized(words)))


def _starts_quoted_history(lines: list[str], index: int) -> bool:
    """Whether lines[index] opens the quoted earlier message."""
    line = _normalized(lines[index])
    following = [_normalized(text) for text in lines[index + 1 : index + 5]]
    if any(separator.match(line) for separator in _QUOTE_SEPARATORS):
        return True
    # Gmail and Apple Mail wrap long attribution lines onto a second line.
    candidates = (line, f"{line} {following[0]}" if following else line)
    if any(pattern.match(candidate) for pattern in _ATTRIBUTIONS for candidate in candidates):
        return True
    return bool(_HEADER_FROM.match(line)) and any(
        _HEADER_FOLLOWING.match(text) for text in following
    )


def _without_reply_prefix(subject: str) -> str:
    """The subject without leading `Re:`, `AW:`, `Fwd:` and similar prefixes."""
    return _SUBJECT_PREFIX.sub("", subject).strip()


def _first_token(value: str) -> str:
    """A header value's keyword, without parameters (`; owner-email=…`) or comments."""
    without_comments = re.sub(r"\([^)]*\)", " ", value)
    return without_comments.split(";", 1)[0].strip().lower()


def _normalized(text: str) -> str:
    """Lower-case NFC text with typographic apostrophes made plain and whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").lower()
    return " ".join(text.split())
