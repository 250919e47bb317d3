//! Trainings and their participants, disaggregated by sex and organisation (as the WPS agenda
//! and donor reporting ask).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::network::parse_date;
use crate::policy::Labels;
use crate::reference::{self, THEMES, Term};
use crate::security::{Classification, CompartmentId};

/// Sex of a participant, as recorded.
pub const PARTICIPANT_SEXES: &[Term] = &[
    Term {
        code: "female",
        en: "Female",
        nl: "Vrouw",
    },
    Term {
        code: "male",
        en: "Male",
        nl: "Man",
    },
    Term {
        code: "other",
        en: "Other",
        nl: "Anders",
    },
    Term {
        code: "not-recorded",
        en: "Not recorded",
        nl: "Niet vastgelegd",
    },
];

/// Types of the organisation a participant comes from.
pub const ORGANISATION_TYPES: &[Term] = &[
    Term {
        code: "government",
        en: "Government",
        nl: "Overheid",
    },
    Term {
        code: "armed-group",
        en: "Armed group or conflict party",
        nl: "Gewapende groep of conflictpartij",
    },
    Term {
        code: "civil-society",
        en: "Civil society",
        nl: "Maatschappelijk middenveld",
    },
    Term {
        code: "womens-organisation",
        en: "Women's organisation",
        nl: "Vrouwenorganisatie",
    },
    Term {
        code: "un-regional",
        en: "UN or regional organisation",
        nl: "VN of regionale organisatie",
    },
    Term {
        code: "academia",
        en: "Academia",
        nl: "Wetenschap",
    },
    Term {
        code: "other",
        en: "Other",
        nl: "Overig",
    },
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    pub id: String,
    pub title: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub place: String,
    pub remote: bool,
    pub organiser: String,
    pub themes: Vec<String>,
    /// Linked processes (only those the reader may see are shown).
    pub process_ids: Vec<String>,
    pub labels: Labels,
    pub participant_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingInput {
    pub title: String,
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub remote: bool,
    #[serde(default)]
    pub organiser: String,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub process_ids: Vec<String>,
    /// Default `internal`.
    #[serde(default)]
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTraining {
    pub title: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub place: String,
    pub remote: bool,
    pub organiser: String,
    pub themes: Vec<String>,
    pub process_ids: Vec<String>,
    pub labels: Labels,
}

impl TrainingInput {
    pub fn validate(&self) -> Result<ValidTraining, DomainError> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(DomainError::invalid(
                "title",
                "a title of 1 to 200 characters is required",
            ));
        }
        let starts_on = parse_date("starts_on", &self.starts_on)?;
        let ends_on = match self.ends_on.trim() {
            "" => None,
            e => Some(parse_date("ends_on", e)?),
        };
        if let Some(e) = &ends_on
            && *e < starts_on
        {
            return Err(DomainError::invalid(
                "ends_on",
                "the training ends before it starts",
            ));
        }
        let place = self.place.trim();
        if place.is_empty() && !self.remote {
            return Err(DomainError::invalid(
                "place",
                "give the place, or mark the training as remote",
            ));
        }
        if place.chars().count() > 200 || self.organiser.trim().chars().count() > 200 {
            return Err(DomainError::invalid(
                "place",
                "place and organiser: at most 200 characters",
            ));
        }
        let organiser = self.organiser.trim();
        if organiser.is_empty() {
            return Err(DomainError::invalid("organiser", "name the organiser"));
        }
        let mut themes: Vec<String> = Vec::new();
        for t in self
            .themes
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            let code = reference::term(THEMES, "theme", t)?.code.to_string();
            if !themes.contains(&code) {
                themes.push(code);
            }
        }
        let mut process_ids: Vec<String> = Vec::new();
        for p in self
            .process_ids
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            if !process_ids.iter().any(|x| x == p) {
                process_ids.push(p.to_string());
            }
        }
        let classification = match self.classification.trim() {
            "" => Classification::Internal,
            c => c.parse::<Classification>()?,
        };
        let compartment = self
            .compartment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(CompartmentId::parse)
            .transpose()?;
        Ok(ValidTraining {
            title: title.into(),
            starts_on,
            ends_on,
            place: place.into(),
            remote: self.remote,
            organiser: organiser.into(),
            themes,
            process_ids,
            labels: Labels {
                classification,
                compartment,
            },
        })
    }
}

/// A participant of a training; carries the labels of its training. The name is encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: String,
    pub training_id: String,
    pub name: String,
    pub sex: String,
    pub organisation: String,
    pub organisation_type: String,
    /// ISO 3166-1 alpha-2, or empty.
    pub country: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantInput {
    #[serde(default)]
    pub name: String,
    /// female, male, other, not-recorded (empty: not recorded).
    #[serde(default)]
    pub sex: String,
    pub organisation: String,
    pub organisation_type: String,
    #[serde(default)]
    pub country: String,
}

fn vocab_code(
    vocab: &'static [Term],
    what: &'static str,
    v: &str,
) -> Result<&'static str, DomainError> {
    let v = v.trim();
    vocab
        .iter()
        .find(|t| {
            t.code.eq_ignore_ascii_case(v)
                || t.en.eq_ignore_ascii_case(v)
                || t.nl.eq_ignore_ascii_case(v)
        })
        .map(|t| t.code)
        .ok_or_else(|| DomainError::UnknownValue {
            what,
            value: v.to_string(),
            expected: vocab.iter().map(|t| t.code).collect::<Vec<_>>().join(", "),
        })
}

impl ParticipantInput {
    /// Checks every field and returns all problems, each with its field (for import reports).
    pub fn validate_all(&self) -> Result<ParticipantInput, Vec<(&'static str, DomainError)>> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.chars().count() > 200 {
            errors.push((
                "name",
                DomainError::invalid("name", "at most 200 characters"),
            ));
        }
        let sex = match self.sex.trim() {
            "" => Ok("not-recorded"),
            s => vocab_code(PARTICIPANT_SEXES, "sex", s),
        };
        let sex = sex.map_err(|e| errors.push(("sex", e))).unwrap_or_default();
        let organisation = self.organisation.trim();
        if organisation.is_empty() || organisation.chars().count() > 200 {
            errors.push((
                "organisation",
                DomainError::invalid(
                    "organisation",
                    "name the organisation (1 to 200 characters)",
                ),
            ));
        }
        let org_type = vocab_code(
            ORGANISATION_TYPES,
            "organisation type",
            &self.organisation_type,
        )
        .map_err(|e| errors.push(("organisation_type", e)))
        .unwrap_or_default();
        let country = match self.country.trim() {
            "" => String::new(),
            c => match reference::country(c) {
                Some(c) => c.alpha2.clone(),
                None => {
                    errors.push((
                        "country",
                        DomainError::invalid(
                            "country",
                            format!("'{c}' is not an ISO 3166-1 country code"),
                        ),
                    ));
                    String::new()
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ParticipantInput {
            name: name.into(),
            sex: sex.into(),
            organisation: organisation.into(),
            organisation_type: org_type.into(),
            country,
        })
    }

    pub fn validate(&self) -> Result<ParticipantInput, DomainError> {
        self.validate_all().map_err(|mut e| e.remove(0).1)
    }
}

/// Counts by sex.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SexCounts {
    pub female: i64,
    pub male: i64,
    pub other: i64,
    pub not_recorded: i64,
}

impl SexCounts {
    pub fn add(&mut self, sex: &str) {
        match sex {
            "female" => self.female += 1,
            "male" => self.male += 1,
            "other" => self.other += 1,
            _ => self.not_recorded += 1,
        }
    }

    pub fn total(&self) -> i64 {
        self.female + self.male + self.other + self.not_recorded
    }

    /// Women as a share of all participants (those whose sex was not recorded included), in
    /// percent; `None` without participants.
    pub fn share_women(&self) -> Option<f64> {
        let t = self.total();
        (t > 0).then(|| self.female as f64 * 100.0 / t as f64)
    }
}

/// One row of a disaggregated table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCounts {
    pub group: String,
    pub counts: SexCounts,
}

/// Participants disaggregated: totals by sex, by organisation type × sex, by organisation × sex.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disaggregation {
    pub trainings: i64,
    pub total: SexCounts,
    /// In the order of [`ORGANISATION_TYPES`]; types without participants left out.
    pub by_organisation_type: Vec<GroupCounts>,
    /// Largest first, then by name; organisations compared case-insensitively.
    pub by_organisation: Vec<GroupCounts>,
}

/// Disaggregates participants of `trainings` trainings.
pub fn disaggregate<'a>(
    trainings: i64,
    participants: impl IntoIterator<Item = &'a Participant>,
) -> Disaggregation {
    let mut total = SexCounts::default();
    let mut by_type: BTreeMap<usize, SexCounts> = BTreeMap::new();
    let mut by_org: BTreeMap<String, (String, SexCounts)> = BTreeMap::new();
    for p in participants {
        total.add(&p.sex);
        let ti = ORGANISATION_TYPES
            .iter()
            .position(|t| t.code == p.organisation_type)
            .unwrap_or(ORGANISATION_TYPES.len() - 1);
        by_type.entry(ti).or_default().add(&p.sex);
        let key = crate::lessons::fold_text(&p.organisation);
        by_org
            .entry(key)
            .or_insert_with(|| (p.organisation.clone(), SexCounts::default()))
            .1
            .add(&p.sex);
    }
    let mut by_organisation: Vec<GroupCounts> = by_org
        .into_values()
        .map(|(group, counts)| GroupCounts { group, counts })
        .collect();
    by_organisation.sort_by(|a, b| {
        b.counts
            .total()
            .cmp(&a.counts.total())
            .then_with(|| a.group.to_lowercase().cmp(&b.group.to_lowercase()))
    });
    Disaggregation {
        trainings,
        total,
        by_organisation_type: by_type
            .into_iter()
            .map(|(i, counts)| GroupCounts {
                group: ORGANISATION_TYPES[i].code.to_string(),
                counts,
            })
            .collect(),
        by_organisation,
    }
}

impl Disaggregation {
    /// The table as rows of text (header first), for CSV: dimension, group, counts, share.
    pub fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![
            [
                "dimension",
                "group",
                "female",
                "male",
                "other",
                "not_recorded",
                "total",
                "share_women_pct",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        ];
        let row = |dim: &str, group: &str, c: &SexCounts| {
            vec![
                dim.to_string(),
                group.to_string(),
                c.female.to_string(),
                c.male.to_string(),
                c.other.to_string(),
                c.not_recorded.to_string(),
                c.total().to_string(),
                c.share_women()
                    .map(|s| format!("{s:.1}"))
                    .unwrap_or_default(),
            ]
        };
        rows.push(row("all", "all participants", &self.total));
        for g in &self.by_organisation_type {
            rows.push(row("organisation_type", &g.group, &g.counts));
        }
        for g in &self.by_organisation {
            rows.push(row("organisation", &g.group, &g.counts));
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(sex: &str, org: &str, ty: &str) -> Participant {
        Participant {
            id: String::new(),
            training_id: String::new(),
            name: String::new(),
            sex: sex.into(),
            organisation: org.into(),
            organisation_type: ty.into(),
            country: String::new(),
        }
    }

    #[test]
    fn disaggregation_counts_by_sex_type_and_organisation() {
        let ps = [
            p("female", "Sudanese Women's Union", "womens-organisation"),
            p("female", "sudanese women's union", "womens-organisation"),
            p("male", "Ministry of Foreign Affairs", "government"),
            p("not-recorded", "Ministry of Foreign Affairs", "government"),
            p("other", "University of Khartoum", "academia"),
        ];
        let d = disaggregate(1, ps.iter());
        assert_eq!(
            d.total,
            SexCounts {
                female: 2,
                male: 1,
                other: 1,
                not_recorded: 1
            }
        );
        assert_eq!(d.total.share_women(), Some(40.0));
        assert_eq!(
            d.by_organisation_type
                .iter()
                .map(|g| (g.group.as_str(), g.counts.total()))
                .collect::<Vec<_>>(),
            vec![
                ("government", 2),
                ("womens-organisation", 2),
                ("academia", 1)
            ]
        );
        assert_eq!(d.by_organisation[0].counts.total(), 2);
        assert_eq!(
            d.by_organisation.len(),
            3,
            "organisations compared without case"
        );
        let rows = d.rows();
        assert_eq!(
            rows[1],
            vec!["all", "all participants", "2", "1", "1", "1", "5", "40.0"]
        );
    }

    #[test]
    fn participants_are_checked_field_by_field() {
        let bad = ParticipantInput {
            sex: "f".into(),
            organisation: String::new(),
            organisation_type: "company".into(),
            country: "ZZ".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = bad
            .validate_all()
            .unwrap_err()
            .iter()
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(
            fields,
            vec!["sex", "organisation", "organisation_type", "country"]
        );
        let ok = ParticipantInput {
            sex: "Vrouw".into(),
            organisation: " CMI ".into(),
            organisation_type: "civil society".into(),
            country: "SDN".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(
            (
                ok.sex.as_str(),
                ok.organisation_type.as_str(),
                ok.country.as_str()
            ),
            ("female", "civil-society", "SD")
        );
    }

    #[test]
    fn trainings_default_to_internal_and_need_a_place_or_remote() {
        let t = TrainingInput {
            title: "Mediation skills".into(),
            starts_on: "2026-03-02".into(),
            remote: true,
            organiser: "Clingendael".into(),
            ..Default::default()
        };
        assert_eq!(
            t.validate().unwrap().labels.classification,
            Classification::Internal
        );
        let err = TrainingInput {
            remote: false,
            ..t.clone()
        }
        .validate()
        .unwrap_err();
        assert!(err.to_string().contains("place"));
        let err = TrainingInput {
            ends_on: "2026-01-01".into(),
            ..t
        }
        .validate()
        .unwrap_err();
        assert!(err.to_string().contains("ends_on"));
    }
}
