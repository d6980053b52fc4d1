"""Plans and statuses as text tables and JSON for people and scripts (pure)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from followupd.model import Action, Config, Interview, InterviewState, Plan

KIND_NAMES = {
    "thank_you": "thank-you",
    "check_in": "check-in",
    "call_reminder": "call reminder",
    "thanks_after_rejection": "thanks after rejection",
}


def kind_name(kind: str) -> str:
    """'check-in', 'thanks after rejection' — a kind of draft as the user reads it."""
    return KIND_NAMES[kind]


def action_phrase(action: Action) -> str:
    """'check-in #1 to Mark Jones' — how an action is named in logs and tables."""
    kind = kind_name(action.kind)
    if action.kind == "check_in":
        kind = f"{kind} #{action.sequence}"
    if action.kind == "call_reminder":
        who = action.interviewer.name if action.interviewer else action.recipient
        return f"{kind} for {who}"
    return f"{kind} to {action.recipient_name or action.recipient}"


def short_moment(moment: datetime | None, zone: tzinfo) -> str:
    """'Tue 1 Dec 09:00' in the user's zone, or '—'."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def short_day(moment: datetime | None, zone: tzinfo) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b}"


def title(interview: Interview) -> str:
    return f"{interview.company} — {interview.position}"


def status_rows(plan: Plan, zone: tzinfo) -> list[list[str]]:
    """One row per interview: stage, deadline, last contact each way, next action."""
    rows = [["INTERVIEW", "STAGE", "DEADLINE", "LAST FROM THEM", "LAST FROM YOU", "NEXT"]]
    for state in plan.interviews:
        deadline = state.interview.deadline
        rows.append(
            [
                title(state.interview),
                state.stage,
                f"{deadline:%a} {deadline.day} {deadline:%b}",
                short_day(state.last_from_them, zone),
                short_day(state.last_from_me, zone),
                next_text(state, zone),
            ]
        )
    return rows


def next_text(state: InterviewState, zone: tzinfo) -> str:
    if state.next_action is None:
        return state.note or "nothing to do"
    action = state.next_action
    return f"{action_phrase(action)}, {short_moment(action.due, zone)}"


def plan_rows(
    actions: tuple[Action, ...], plan: Plan, zone: tzinfo, interviews: dict[str, Interview]
) -> list[list[str]]:
    """The timeline: what is due now, then everything coming, in order; projections marked."""
    rows = [["WHEN", "ACTION", "INTERVIEW"]]
    due_now = {action.key for action in plan.due}
    planned = due_now | {action.key for action in plan.upcoming}
    for action in actions:
        when = "now" if action.key in due_now else short_moment(action.due, zone)
        phrase = action_phrase(action) + ("" if action.key in planned else " (if unanswered)")
        rows.append([when, phrase, title(interviews[action.interview_id])])
    return rows


def table(rows: list[list[str]]) -> str:
    """Left-aligned columns, two spaces apart, no trailing blanks."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def action_json(action: Action | None) -> dict | None:
    if action is None:
        return None
    return {
        "kind": action.kind,
        "key": action.key,
        "due": action.due.isoformat(),
        "recipient": action.recipient,
        "recipient_name": action.recipient_name,
        "sequence": action.sequence,
    }


def status_json(plan: Plan) -> list[dict]:
    """The stable `status --json` shape: one object per interview."""
    return [
        {
            "id": state.interview.id,
            "company": state.interview.company,
            "position": state.interview.position,
            "stage": state.stage,
            "deadline": state.interview.deadline.isoformat(),
            "last_from_them": iso(state.last_from_them),
            "last_from_you": iso(state.last_from_me),
            "next_action": action_json(state.next_action),
            "note": state.note,
        }
        for state in plan.interviews
    ]


def plan_json(actions: tuple[Action, ...], plan: Plan) -> list[dict]:
    """Every action to come, in order: `{interview, kind, due, recipient, due_now, projected, ...}`.

    `projected` marks what follows only if each check-in is sent when due and nobody answers.
    """
    due_now = {action.key for action in plan.due}
    planned = due_now | {action.key for action in plan.upcoming}
    return [
        dict(
            action_json(action),
            interview=action.interview_id,
            due_now=action.key in due_now,
            projected=action.key not in planned,
        )
        for action in actions
    ]


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def interviews_by_id(config: Config) -> dict[str, Interview]:
    return {interview.id: interview for interview in config.interviews}
