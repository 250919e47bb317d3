//! The work module's strings: (key, English, Dutch).

use crate::i18n::Entry;

pub const STRINGS: &[Entry] = &[
    ("nav.inbox", "Inbox", "Te doen"),
    (
        "work.count.title",
        "Things waiting for you",
        "Wat op u wacht",
    ),
    ("work.inbox", "What waits for you", "Wat op u wacht"),
    (
        "work.inbox.intro",
        "Records assigned to you, applications awaiting your decision, alerts you own, requests to answer, statements to moderate and access to decide — only what you may read. Overdue first.",
        "Dossiers die aan u zijn toegewezen, aanvragen die op uw besluit wachten, waarschuwingen die u volgt, verzoeken om te beantwoorden, stellingen om te modereren en toegang om over te beslissen — alleen wat u mag lezen. Te late eerst.",
    ),
    (
        "work.inbox.none",
        "Nothing waits for you.",
        "Er wacht niets op u.",
    ),
    ("work.inbox.items", "waiting", "wachtend"),
    ("work.overdue", "overdue", "te laat"),
    ("work.col.record", "Record", "Dossier"),
    ("work.col.why", "Why", "Waarom"),
    ("work.col.due", "Due", "Uiterlijk"),
    ("work.col.detail", "Detail", "Toelichting"),
    ("work.col.action", "Action", "Actie"),
    (
        "work.reason.assigned",
        "Assigned to you",
        "Aan u toegewezen",
    ),
    ("work.reason.decide", "Your step", "Uw stap"),
    (
        "work.reason.assess",
        "Alert to follow up",
        "Waarschuwing op te volgen",
    ),
    (
        "work.reason.answer",
        "Request to answer",
        "Verzoek te beantwoorden",
    ),
    (
        "work.reason.moderate",
        "Statements to moderate",
        "Stellingen te modereren",
    ),
    (
        "work.reason.grant",
        "Access to decide",
        "Toegang te beslissen",
    ),
    ("work.statements", "statements", "stellingen"),
    ("work.asked_by", "asked by", "gevraagd door"),
    ("work.by", "by", "door"),
    ("work.done", "Mark done", "Afgehandeld"),
    ("work.is_done", "done", "afgehandeld"),
    (
        "work.panel",
        "Assignments and comments",
        "Toewijzingen en opmerkingen",
    ),
    ("work.assignments", "Assigned to", "Toegewezen aan"),
    (
        "work.assignments.none",
        "Not assigned to anyone.",
        "Aan niemand toegewezen.",
    ),
    (
        "work.assign",
        "Assign to a colleague",
        "Toewijzen aan een collega",
    ),
    ("work.assignee", "Colleague", "Collega"),
    ("work.choose", "Choose…", "Kies…"),
    ("work.due", "due", "uiterlijk"),
    ("work.note", "Note (optional)", "Notitie (optioneel)"),
    ("work.assign.submit", "Assign", "Toewijzen"),
    ("work.comments", "Comments", "Opmerkingen"),
    (
        "work.comments.none",
        "No comments yet.",
        "Nog geen opmerkingen.",
    ),
    ("work.comment", "Your comment", "Uw opmerking"),
    ("work.comment.submit", "Add comment", "Opmerking toevoegen"),
    (
        "work.saved.assigned",
        "Assigned: it is now in your colleague's inbox.",
        "Toegewezen: het staat nu bij uw collega onder Te doen.",
    ),
    (
        "work.saved.commented",
        "Comment added.",
        "Opmerking toegevoegd.",
    ),
    (
        "work.saved.done",
        "Marked done.",
        "Als afgehandeld gemarkeerd.",
    ),
    ("work.back", "Back to the record", "Terug naar het dossier"),
];
