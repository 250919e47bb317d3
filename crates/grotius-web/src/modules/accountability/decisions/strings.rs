//! Strings of the access decisions between mediation and evidence.

pub const STRINGS: &[(&str, &str, &str)] = &[
    ("nav.decisions", "Access decisions", "Toegangsbesluiten"),
    (
        "sep.title",
        "Access decisions: mediation and evidence apart",
        "Toegangsbesluiten: bemiddeling en bewijs gescheiden",
    ),
    (
        "sep.intro",
        "Mediation and evidence work are kept in separate compartments. A user of one side gets a compartment of the other only by a request of an administrator, approved by someone else who answers for that side (the coordinator for mediation, the evidence custodian for evidence) and who belongs to the compartment. Every step is in the audit log.",
        "Bemiddelings- en bewijswerk staan in gescheiden compartimenten. Een gebruiker van de ene kant krijgt een compartiment van de andere kant alleen na een verzoek van een beheerder, goedgekeurd door een ander die voor die kant verantwoordelijk is (de coördinator voor bemiddeling, de bewijsbewaarder voor bewijs) en lid is van het compartiment. Elke stap staat in de auditlog.",
    ),
    (
        "sep.none",
        "No access decisions yet.",
        "Nog geen toegangsbesluiten.",
    ),
    ("sep.side.mediation", "mediation", "bemiddeling"),
    ("sep.side.evidence", "evidence", "bewijs"),
    ("sep.status.requested", "Requested", "Aangevraagd"),
    ("sep.status.approved", "Approved", "Goedgekeurd"),
    ("sep.status.refused", "Refused", "Geweigerd"),
    ("sep.reason", "Reason", "Reden"),
    ("sep.requested", "Requested by", "Aangevraagd door"),
    ("sep.decided", "Decided by", "Besloten door"),
    ("sep.note", "Decision note", "Toelichting bij het besluit"),
    ("sep.approve", "Approve", "Goedkeuren"),
    ("sep.refuse", "Refuse", "Weigeren"),
    (
        "sep.request",
        "Request access across sides",
        "Toegang over de scheiding aanvragen",
    ),
    ("admin.comp.domain", "Side", "Kant"),
];
