//! Enum mappings between the model and `orca.v1`, both ways, each declared once as a table.
//!
//! On the wire an enum field is an `i32`: it may hold a number this version of the contract does not
//! know, and `*_UNSPECIFIED` (0) means "not stated". Model enums with an `Unspecified` variant map it
//! to `*_UNSPECIFIED`; the others reject it, except where the table says what "not stated" means
//! (`VRM_FORMAT_UNSPECIFIED` is an unrecognised mark, `GRADING_SYSTEM_UNSPECIFIED` is 3x5x2).

use super::UNKNOWN_ENUM;
use crate::v1;
use orca_model::package::{Assertion, NimLevel, OutcomeKind, SubjectKind};
use orca_model::vrm::VrmFormat;
use orca_model::{
    AgeBand, Build, DecisionKind, EntityKind, EventType, EvidenceKind, GradingSystem, LinkDecision, ModusOperandi,
    PersonRole, Problem, Sex, VehicleRole,
};

/// A model enum with a counterpart in `orca.v1`.
pub trait ProtoEnum: Sized + Copy {
    /// The generated protobuf enum.
    type Proto: Copy + Into<i32> + TryFrom<i32>;

    /// Full protobuf name of the enum, e.g. `orca.v1.EventType`, for messages.
    const PROTO_NAME: &'static str;

    fn to_proto(self) -> Self::Proto;

    /// The model value of a protobuf value; `None` where the model has no counterpart (such as
    /// `MODUS_OPERANDI_UNSPECIFIED`).
    fn from_proto(proto: Self::Proto) -> Option<Self>;

    /// The protobuf name of a wire value (`EVENT_TYPE_ROBBERY`), if the contract knows the number.
    fn wire_name(value: i32) -> Option<&'static str>;

    /// The wire value (`i32`) of a model value.
    fn to_wire(self) -> i32 {
        self.to_proto().into()
    }

    /// The model value of a wire value; `None` for an unknown number or a value the model rejects.
    fn from_wire(value: i32) -> Option<Self> {
        Self::Proto::try_from(value).ok().and_then(Self::from_proto)
    }
}

/// The model value of a wire enum value, or an `unknown-enum` problem at `field`.
pub(crate) fn enum_from_wire<E: ProtoEnum>(value: i32, field: impl FnOnce() -> String) -> Result<E, Problem> {
    E::from_wire(value).ok_or_else(|| {
        let reason = match E::wire_name(value) {
            Some(name) => format!("`{name}` is not allowed here: state a value of {}", E::PROTO_NAME),
            None => format!("{value} is not a value of {}", E::PROTO_NAME),
        };
        Problem::new(field(), UNKNOWN_ENUM, reason)
    })
}

/// Declares a model enum's mapping onto a generated enum: `Model <=> Proto` pairs, then optionally
/// protobuf values that read as a model value but are never written (`also Proto => Model`).
macro_rules! proto_enum {
    (
        $model:ident => $proto:ident, $name:literal {
            $($m:ident <=> $p:ident),+ $(,)?
        }
        $(also { $($extra_p:ident => $extra_m:ident),+ $(,)? })?
    ) => {
        impl ProtoEnum for $model {
            type Proto = v1::$proto;
            const PROTO_NAME: &'static str = $name;

            fn to_proto(self) -> v1::$proto {
                match self {
                    $($model::$m => v1::$proto::$p,)+
                }
            }

            fn from_proto(proto: v1::$proto) -> Option<Self> {
                #[allow(unreachable_patterns)] // tables that cover every protobuf value
                match proto {
                    $(v1::$proto::$p => Some($model::$m),)+
                    $($(v1::$proto::$extra_p => Some($model::$extra_m),)+)?
                    _ => None,
                }
            }

            fn wire_name(value: i32) -> Option<&'static str> {
                v1::$proto::try_from(value).ok().map(|proto| proto.as_str_name())
            }
        }
    };
}

proto_enum!(EventType => EventType, "orca.v1.EventType" {
    Unspecified <=> Unspecified,
    Shoplifting <=> Shoplifting,
    Robbery <=> Robbery,
    Violence <=> Violence,
    Abuse <=> Abuse,
    Threats <=> Threats,
    Fraud <=> Fraud,
    CriminalDamage <=> CriminalDamage,
    MakingOffWithoutPayment <=> MakingOffWithoutPayment,
});

proto_enum!(ModusOperandi => ModusOperandi, "orca.v1.ModusOperandi" {
    StealToOrder <=> StealToOrder,
    GrabAndGo <=> GrabAndGo,
    TeamWithLookouts <=> TeamWithLookouts,
    MultipleStoresOneDay <=> MultipleStoresOneDay,
    VehicleFalsePlates <=> VehicleFalsePlates,
    Distraction <=> Distraction,
    LinedBag <=> LinedBag,
    TagRemoval <=> TagRemoval,
    SelfCheckoutFraud <=> SelfCheckoutFraud,
    RefundFraud <=> RefundFraud,
    TrolleyWalkOut <=> TrolleyWalkOut,
    ThreatsWithWeapon <=> ThreatsWithWeapon,
});

proto_enum!(EvidenceKind => EvidenceKind, "orca.v1.EvidenceKind" {
    Unspecified <=> Unspecified,
    Cctv <=> Cctv,
    BodyWorn <=> BodyWorn,
    Photo <=> Photo,
    Document <=> Document,
    TillRecord <=> TillRecord,
});

proto_enum!(PersonRole => PersonRole, "orca.v1.PersonRole" {
    Unspecified <=> Unspecified,
    Suspect <=> Suspect,
    Victim <=> Victim,
    Witness <=> Witness,
    Offender <=> Offender,
    Erased <=> Erased,
});

proto_enum!(Sex => Sex, "orca.v1.Sex" {
    Unspecified <=> Unspecified,
    Male <=> Male,
    Female <=> Female,
});

proto_enum!(AgeBand => AgeBand, "orca.v1.AgeBand" {
    Unspecified <=> Unspecified,
    Under10 <=> Under10,
    From10To17 <=> AgeBand1017,
    From18To24 <=> AgeBand1824,
    From25To34 <=> AgeBand2534,
    Over34 <=> Over34,
});

proto_enum!(Build => Build, "orca.v1.Build" {
    Unspecified <=> Unspecified,
    Slim <=> Slim,
    Medium <=> Medium,
    Stocky <=> Stocky,
    Heavy <=> Heavy,
});

proto_enum!(VehicleRole => VehicleRole, "orca.v1.VehicleRole" {
    Unspecified <=> Unspecified,
    UsedBySuspects <=> UsedBySuspects,
    SeenNearby <=> SeenNearby,
});

proto_enum!(VrmFormat => VrmFormat, "orca.v1.VrmFormat" {
    Current <=> Current,
    Prefix <=> Prefix,
    Suffix <=> Suffix,
    Dateless <=> Dateless,
    NorthernIreland <=> NorthernIreland,
    Foreign <=> Foreign,
    Partial <=> Partial,
    Unrecognised <=> Unrecognised,
} also {
    // A mark ORCA has not parsed yet is not a recognised one.
    Unspecified => Unrecognised,
});

proto_enum!(GradingSystem => GradingSystem, "orca.v1.GradingSystem" {
    ThreeFiveTwo <=> GradingSystem3x5x2,
    FiveFiveFive <=> GradingSystem5x5x5,
} also {
    // 3x5x2 is the current system; a grade that does not name its system is graded under it.
    Unspecified => ThreeFiveTwo,
});

proto_enum!(EntityKind => EntityKind, "orca.v1.EntityKind" {
    Person <=> Person,
    Vehicle <=> Vehicle,
});

proto_enum!(LinkDecision => LinkDecision, "orca.v1.LinkDecision" {
    NewEntity <=> NewEntity,
    AutoLink <=> AutoLink,
    PossibleMatch <=> PossibleMatch,
    AnalystConfirmed <=> AnalystConfirmed,
    AnalystRejected <=> AnalystRejected,
});

proto_enum!(DecisionKind => DecisionKind, "orca.v1.DecisionKind" {
    ConfirmMatch <=> ConfirmMatch,
    RejectMatch <=> RejectMatch,
    Split <=> Split,
    Merge <=> Merge,
});

proto_enum!(SubjectKind => SubjectKind, "orca.v1.SubjectKind" {
    Group <=> Group,
    ProlificOffender <=> ProlificOffender,
});

proto_enum!(NimLevel => NimLevel, "orca.v1.NimLevel" {
    Local <=> Local,
    CrossBorder <=> CrossBorder,
    National <=> National,
});

proto_enum!(Assertion => AssertionKind, "orca.v1.AssertionKind" {
    Fact <=> Fact,
    Assessment <=> Assessment,
});

proto_enum!(OutcomeKind => OutcomeKind, "orca.v1.OutcomeKind" {
    Arrest <=> Arrest,
    Charge <=> Charge,
    Caution <=> Caution,
    NoFurtherAction <=> NoFurtherAction,
    Conviction <=> Conviction,
    Disruption <=> Disruption,
});
