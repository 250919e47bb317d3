//! Dutch and English for every string of the UI. Keys are looked up in one table; a test checks
//! that every key used in the source exists and has both languages.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Nl,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "nl" => Some(Lang::Nl),
            _ => None,
        }
    }

    /// From an `Accept-Language` header: Dutch if it comes before English, else English.
    pub fn from_accept_language(h: &str) -> Lang {
        for part in h.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("nl") {
                return Lang::Nl;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::En
    }
}

/// (key, English, Dutch)
pub const STRINGS: &[(&str, &str, &str)] = &[
    (
        "app.tagline",
        "Mediation, fund and accountability platform",
        "Platform voor bemiddeling, fonds en accountability",
    ),
    ("skip", "Skip to content", "Naar de inhoud"),
    ("nav.label", "Main navigation", "Hoofdnavigatie"),
    ("nav.dashboard", "Overview", "Overzicht"),
    ("nav.mediation", "Mediation", "Bemiddeling"),
    ("nav.network", "Network", "Netwerk"),
    ("nav.roster", "Roster", "Expertpool"),
    ("nav.fund", "Fund", "Fonds"),
    ("nav.knowledge", "Knowledge", "Kennis"),
    ("nav.accountability", "Accountability", "Accountability"),
    ("nav.early-warning", "Early warning", "Vroegsignalering"),
    ("nav.reference", "Reference data", "Referentiegegevens"),
    ("nav.admin", "Administration", "Beheer"),
    ("nav.audit", "Audit log", "Auditlog"),
    ("nav.account", "My account", "Mijn account"),
    ("logout", "Log out", "Uitloggen"),
    ("lang.switch", "Taal: Nederlands", "Language: English"),
    ("login.title", "Log in", "Inloggen"),
    ("login.username", "User name", "Gebruikersnaam"),
    ("login.password", "Password", "Wachtwoord"),
    ("login.submit", "Log in", "Inloggen"),
    (
        "login.failed",
        "Login failed: wrong user name or password, or too many attempts (then wait 15 minutes).",
        "Inloggen mislukt: verkeerde gebruikersnaam of wachtwoord, of te veel pogingen (wacht dan 15 minuten).",
    ),
    (
        "login.rate",
        "Too many login attempts from your address. Wait a minute and try again.",
        "Te veel inlogpogingen vanaf uw adres. Wacht een minuut en probeer het opnieuw.",
    ),
    ("login.totp.title", "Second factor", "Tweede factor"),
    (
        "login.totp.help",
        "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
        "Voer de 6-cijferige code uit uw authenticator-app in, of een van uw herstelcodes.",
    ),
    ("login.totp.code", "Code", "Code"),
    ("login.totp.submit", "Verify", "Controleren"),
    (
        "login.totp.failed",
        "That code is not valid (or was already used). Try the next code.",
        "Die code is niet geldig (of al gebruikt). Probeer de volgende code.",
    ),
    ("dash.title", "Overview", "Overzicht"),
    ("dash.welcome", "Signed in as", "Ingelogd als"),
    ("dash.roles", "Roles", "Rollen"),
    ("dash.clearance", "Clearance", "Rubricering"),
    ("dash.compartments", "Compartments", "Compartimenten"),
    ("dash.none", "none", "geen"),
    (
        "dash.processes",
        "Processes you can see",
        "Processen die u kunt zien",
    ),
    (
        "dash.recent",
        "Recently updated processes",
        "Recent bijgewerkte processen",
    ),
    ("dash.modules", "Modules", "Modules"),
    (
        "proc.title",
        "Mediation and dialogue processes",
        "Bemiddelings- en dialoogprocessen",
    ),
    ("proc.new", "New process", "Nieuw proces"),
    ("proc.edit", "Edit process", "Proces bewerken"),
    ("proc.delete", "Delete process", "Proces verwijderen"),
    (
        "proc.delete.confirm",
        "Delete this process permanently? The audit log keeps a record of the deletion.",
        "Dit proces definitief verwijderen? Het auditlog bewaart een vermelding van de verwijdering.",
    ),
    ("proc.name", "Title", "Titel"),
    (
        "proc.codename",
        "Codename (optional)",
        "Codenaam (optioneel)",
    ),
    (
        "proc.countries",
        "Countries (ISO codes, comma-separated)",
        "Landen (ISO-codes, gescheiden door komma's)",
    ),
    ("proc.phase", "Conflict phase", "Conflictfase"),
    ("proc.tracks", "Tracks", "Tracks"),
    ("proc.role", "Dutch role", "Nederlandse rol"),
    ("proc.status", "Status", "Status"),
    ("proc.themes", "Themes", "Thema's"),
    ("proc.summary", "Summary", "Samenvatting"),
    (
        "proc.notes",
        "Confidential notes (encrypted at rest)",
        "Vertrouwelijke notities (versleuteld opgeslagen)",
    ),
    ("proc.updated", "Updated", "Bijgewerkt"),
    (
        "proc.none",
        "No processes match.",
        "Geen processen gevonden.",
    ),
    ("proc.search", "Search", "Zoeken"),
    ("proc.filter", "Filter", "Filteren"),
    ("proc.any", "any", "alle"),
    ("proc.saved", "Saved.", "Opgeslagen."),
    ("labels.classification", "Classification", "Rubricering"),
    ("labels.compartment", "Compartment", "Compartiment"),
    ("labels.no-compartment", "— none —", "— geen —"),
    ("class.public", "Public", "Openbaar"),
    ("class.internal", "Internal", "Intern"),
    (
        "class.confidential",
        "Confidential",
        "Departementaal vertrouwelijk",
    ),
    ("class.secret", "Secret", "Geheim"),
    ("form.save", "Save", "Opslaan"),
    ("form.cancel", "Cancel", "Annuleren"),
    (
        "form.error",
        "Please correct this:",
        "Corrigeer het volgende:",
    ),
    ("form.required", "required", "verplicht"),
    ("pager.prev", "Previous", "Vorige"),
    ("pager.next", "Next", "Volgende"),
    ("pager.of", "of", "van"),
    ("acct.title", "My account", "Mijn account"),
    ("acct.totp", "Second factor (TOTP)", "Tweede factor (TOTP)"),
    (
        "acct.totp.on",
        "Active. Recovery codes left:",
        "Actief. Resterende herstelcodes:",
    ),
    (
        "acct.totp.off",
        "Not active. Protect your account with an authenticator app.",
        "Niet actief. Beveilig uw account met een authenticator-app.",
    ),
    (
        "acct.totp.enrol",
        "Set up a second factor",
        "Tweede factor instellen",
    ),
    (
        "acct.totp.secret",
        "Enter this key in your authenticator app (or open the link on your phone):",
        "Voer deze sleutel in uw authenticator-app in (of open de link op uw telefoon):",
    ),
    (
        "acct.totp.confirm",
        "Confirm with the current code",
        "Bevestig met de huidige code",
    ),
    (
        "acct.totp.done",
        "Second factor active. Store these recovery codes somewhere safe; each works once and they are shown only now.",
        "Tweede factor actief. Bewaar deze herstelcodes op een veilige plek; elke code werkt één keer en ze worden alleen nu getoond.",
    ),
    ("acct.password", "Change password", "Wachtwoord wijzigen"),
    (
        "acct.password.current",
        "Current password",
        "Huidig wachtwoord",
    ),
    (
        "acct.password.new",
        "New password (at least 12 characters)",
        "Nieuw wachtwoord (minstens 12 tekens)",
    ),
    (
        "acct.password.done",
        "Password changed.",
        "Wachtwoord gewijzigd.",
    ),
    (
        "acct.tokens",
        "Personal API tokens",
        "Persoonlijke API-tokens",
    ),
    (
        "acct.tokens.help",
        "Use a token as 'Authorization: Bearer …' with the JSON API. It is shown once; only its hash is stored.",
        "Gebruik een token als 'Authorization: Bearer …' met de JSON-API. Het wordt één keer getoond; alleen de hash wordt opgeslagen.",
    ),
    ("acct.tokens.name", "Name", "Naam"),
    ("acct.tokens.scope", "Scope", "Bereik"),
    ("acct.tokens.days", "Valid for (days)", "Geldig (dagen)"),
    ("acct.tokens.create", "Create token", "Token aanmaken"),
    (
        "acct.tokens.new",
        "Your new token (copy it now, it will not be shown again):",
        "Uw nieuwe token (kopieer het nu, het wordt niet opnieuw getoond):",
    ),
    ("acct.tokens.revoke", "Revoke", "Intrekken"),
    ("acct.tokens.expires", "Expires", "Verloopt"),
    ("acct.tokens.revoked", "revoked", "ingetrokken"),
    ("acct.tokens.lastused", "Last used", "Laatst gebruikt"),
    ("acct.tokens.none", "No tokens.", "Geen tokens."),
    ("admin.title", "Administration", "Beheer"),
    ("admin.users", "Users", "Gebruikers"),
    ("admin.user.new", "New user", "Nieuwe gebruiker"),
    ("admin.user.display", "Display name", "Weergavenaam"),
    ("admin.user.roles", "Roles", "Rollen"),
    (
        "admin.user.org",
        "Organisation (partners)",
        "Organisatie (partners)",
    ),
    ("admin.user.disabled", "Disabled", "Geblokkeerd"),
    ("admin.user.locked", "locked", "vergrendeld"),
    ("admin.user.create", "Create user", "Gebruiker aanmaken"),
    (
        "admin.user.reset",
        "Set new password",
        "Nieuw wachtwoord instellen",
    ),
    (
        "admin.user.reset-totp",
        "Remove second factor",
        "Tweede factor verwijderen",
    ),
    ("admin.compartments", "Compartments", "Compartimenten"),
    ("admin.comp.new", "New compartment", "Nieuw compartiment"),
    (
        "admin.comp.id",
        "Identifier (lower-case, dashes)",
        "Identificatie (kleine letters, streepjes)",
    ),
    ("admin.comp.name", "Name", "Naam"),
    ("admin.comp.desc", "Description", "Omschrijving"),
    ("admin.comp.members", "Members", "Leden"),
    ("admin.comp.add", "Add member", "Lid toevoegen"),
    (
        "admin.comp.reason",
        "Reason (recorded decision)",
        "Reden (vastgelegd besluit)",
    ),
    ("admin.comp.remove", "Remove", "Verwijderen"),
    (
        "admin.comp.note",
        "Administrators manage membership; they see a compartment's records only if they are members themselves.",
        "Beheerders beheren het lidmaatschap; de inhoud van een compartiment zien zij alleen als zij zelf lid zijn.",
    ),
    ("audit.title", "Audit log", "Auditlog"),
    (
        "audit.help",
        "Every write and every read of confidential material, chained by keyed hashes. Verify with 'grotius audit verify'.",
        "Elke wijziging en elke inzage van vertrouwelijk materiaal, geketend met sleutel-hashes. Controleer met 'grotius audit verify'.",
    ),
    ("audit.seq", "#", "#"),
    ("audit.at", "When (UTC)", "Wanneer (UTC)"),
    ("audit.actor", "Who", "Wie"),
    ("audit.action", "Action", "Handeling"),
    ("audit.resource", "Record", "Record"),
    ("audit.outcome", "Outcome", "Resultaat"),
    ("audit.detail", "Detail", "Details"),
    ("audit.from", "From (date)", "Van (datum)"),
    ("audit.to", "Until (date)", "Tot (datum)"),
    ("audit.export", "Export CSV", "CSV exporteren"),
    ("ref.title", "Reference data", "Referentiegegevens"),
    (
        "ref.countries",
        "Countries and regions (ISO 3166-1, UN M49)",
        "Landen en regio's (ISO 3166-1, UN M49)",
    ),
    ("ref.themes", "Themes", "Thema's"),
    ("ref.phases", "Conflict phases", "Conflictfasen"),
    ("ref.roles", "Dutch roles", "Nederlandse rollen"),
    ("ref.name", "Name", "Naam"),
    ("ref.region", "Region", "Regio"),
    ("ref.subregion", "Sub-region", "Subregio"),
    ("ref.code", "Code", "Code"),
    (
        "mod.planned",
        "Planned capabilities of this module:",
        "Geplande functies van deze module:",
    ),
    ("mod.available", "Available now:", "Nu beschikbaar:"),
    (
        "mod.network.desc",
        "Persons and organisations with typed, dated relationships; ego networks, introduction paths and brokers — all within your compartments.",
        "Personen en organisaties met getypeerde, gedateerde relaties; ego-netwerken, introductiepaden en bruggenbouwers — binnen uw compartimenten.",
    ),
    (
        "mod.roster.desc",
        "Experts with expertise, languages, regions, availability and clearance; requests for support matched to experts with reasons.",
        "Experts met expertise, talen, regio's, beschikbaarheid en screening; steunverzoeken gekoppeld aan experts, met redenen.",
    ),
    (
        "mod.fund.desc",
        "The flexible mediation fund: instruments and ceilings, fast-track and standard workflows with four-eyes approval, a double-entry ledger, reports for Parliament and IATI export.",
        "Het flexibele bemiddelingsfonds: instrumenten en plafonds, snelle en reguliere procedures met vier-ogen-goedkeuring, dubbel boekhouden, rapportages voor de Kamer en IATI-export.",
    ),
    (
        "mod.knowledge.desc",
        "Documents and PA-X peace agreements with provision comparison, in one secure multilingual search.",
        "Documenten en PA-X-vredesakkoorden met vergelijking van bepalingen, in één beveiligde meertalige zoekfunctie.",
    ),
    (
        "mod.accountability.desc",
        "Incidents in the HURIDOCS model, an evidence vault with a tamper-evident chain of custody, signed transfer packages.",
        "Incidenten volgens het HURIDOCS-model, een bewijskluis met een manipulatiebestendige bewaarketen, ondertekende overdrachtspakketten.",
    ),
    (
        "mod.early-warning.desc",
        "Conflict event data (UCDP, ACLED), country-month trends, escalation signals and country profiles.",
        "Conflictgebeurtenissen (UCDP, ACLED), trends per land en maand, escalatiesignalen en landenprofielen.",
    ),
    (
        "mod.mediation.desc",
        "Processes and tracks, the Dutch role, engagements, analyses, requests for support and lessons.",
        "Processen en tracks, de Nederlandse rol, contacten, analyses, steunverzoeken en lessen.",
    ),
    (
        "mod.status",
        "This module is being built; its data and screens arrive with the module.",
        "Deze module is in aanbouw; gegevens en schermen komen met de module.",
    ),
    ("err.title", "Something went wrong", "Er ging iets mis"),
    (
        "err.notfound",
        "Not found. The page or record does not exist, or you may not see it.",
        "Niet gevonden. De pagina of het record bestaat niet, of u mag het niet zien.",
    ),
    (
        "err.forbidden",
        "Your roles do not allow this.",
        "Uw rollen staan dit niet toe.",
    ),
    (
        "err.csrf",
        "This form has expired or did not come from Grotius. Reload the page and try again.",
        "Dit formulier is verlopen of kwam niet van Grotius. Laad de pagina opnieuw en probeer het nog eens.",
    ),
    (
        "err.toolarge",
        "The submitted data is too large.",
        "De verzonden gegevens zijn te groot.",
    ),
    (
        "err.bad",
        "The request could not be understood.",
        "Het verzoek kon niet worden begrepen.",
    ),
    (
        "err.server",
        "An internal error occurred; it has been logged.",
        "Er is een interne fout opgetreden; deze is gelogd.",
    ),
    (
        "err.back",
        "Back to the overview",
        "Terug naar het overzicht",
    ),
];

/// Looks a key up; an unknown key is returned as is (and fails the i18n test).
pub fn t(lang: Lang, key: &str) -> &'static str {
    match STRINGS.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, nl)) => match lang {
            Lang::En => en,
            Lang::Nl => nl,
        },
        None => "⚠missing-translation",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_complete() {
        let mut seen = std::collections::HashSet::new();
        for (k, en, nl) in STRINGS {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!en.is_empty() && !nl.is_empty(), "{k} lacks a language");
        }
    }

    /// Every `t(…, "key")` in the crate's source names a key of the table.
    #[test]
    fn every_used_key_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let src = std::fs::read_to_string(&path).unwrap();
                for (i, _) in src.match_indices("t(l, \"") {
                    let rest = &src[i + 6..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if !STRINGS.iter().any(|(k, _, _)| *k == key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    #[test]
    fn accept_language() {
        assert_eq!(
            Lang::from_accept_language("nl-NL,nl;q=0.9,en;q=0.8"),
            Lang::Nl
        );
        assert_eq!(Lang::from_accept_language("en-GB,nl;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr"), Lang::En);
    }
}
