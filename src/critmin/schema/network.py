"""The supply network: regions, commodities, facilities, build options and routes."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from .base import Coefficient, Fraction, Id, IdList, Money, OptionalYear, PositiveTonnes, Strict, Tonnes, Year
from .dynamics import Ramp


class Region(Strict):
    id: Id
    name: str = ""
    bloc: Id = Field(description="home / ally / partner / neutral / adversary, or any user-defined group")
    risk: Fraction = Field(default=0.0, description="supply-risk score of this exporter in [0, 1]")
    controlled_origin: bool = Field(
        default=False, description="output made here is tagged 'controlled' (e.g. Chinese origin)"
    )


class Commodity(Strict):
    id: Id
    stage: str = Field(description="chain stage, e.g. mining, separation, metal, magnet")
    description: str = ""
    price: Money | None = Field(default=None, description="reference price, currency per t")
    unmet_penalty: Money | None = Field(default=None, description="currency per t short; overrides default")
    elements: IdList = Field(
        default_factory=list,
        description="elements it carries (e.g. Nd, Pr, Dy), so controls listing them reach it",
    )
    contains: dict[Id, Fraction] = Field(
        default_factory=dict,
        description="t of each element (as oxide) per t: what a plant can recover from it, e.g. {Dy: 0.04}",
    )


class Facility(Strict):
    """A plant (existing or candidate) in one region running one process.

    One tonne of *activity* consumes `inputs[c]` t of each input and yields `outputs[c]` t of each output.
    Capacity is in t/yr of activity.
    """

    id: Id
    region: Id
    name: str = ""
    inputs: dict[Id, Coefficient] = Field(default_factory=dict)
    outputs: dict[Id, Coefficient] = Field(min_length=1)
    capacity: Tonnes | dict[Year, Tonnes] = Field(
        default=0.0,
        description="existing capacity, t/yr of activity; a mapping year->value is a step function "
        "(value holds from that year until the next key; 0 before the first key)",
    )
    availability: float = Field(default=1.0, gt=0, le=1, description="usable share of capacity")
    var_cost: Money = Field(default=0.0, description="currency per t of activity")
    fixed_cost: Money = Field(default=0.0, description="currency per t/yr of capacity per year")
    controlled_origin: bool | None = Field(
        default=None, description="override the region's controlled_origin for this plant"
    )
    provenance: Literal["inherit", "own"] = Field(
        default="inherit",
        description="'own': output takes this plant's origin whatever its input (recycling); "
        "'inherit': controlled input makes controlled output",
    )
    ramp: Ramp | None = Field(
        default=None,
        description="utilisation of capacity added after the base year in its 1st, 2nd, ... year (share of "
        "nameplate, ending at 1); default the instance's ramp for its stage",
    )


class _Option(Strict):
    """What every way of adding capacity has."""

    id: Id
    facility: Id
    lead_time: int = Field(default=0, ge=0, le=60, description="years from construction start to output")
    lifetime: int = Field(default=30, ge=1, le=200, description="years of operation")
    earliest_start: OptionalYear = Field(default=None, description="first year construction may start")
    investor: Id | None = Field(default=None, description="region paying; default the facility's region")
    ramp: Ramp | None = Field(
        default=None,
        description="utilisation in its 1st, 2nd, ... year of output (share of nameplate, ending at 1); "
        "default the instance's ramp for the facility's stage",
    )
    fid: bool = Field(default=False, description="its investment decision is made (slips by class spare it)")
    brownfield: bool = Field(default=False, description="an expansion of an operating site")
    hurdle_rate: float | None = Field(
        default=None,
        ge=0,
        lt=1,
        description="real cost of capital its capex is annualised at (default: finance terms, then the "
        "horizon's discount rate)",
    )


_DISCRETE_FIELDS = ("fixed_cost", "module_size", "max_count")


class ContinuousOption(_Option):
    """Capacity added in any amount, at a capex per t/yr."""

    kind: Literal["continuous"] = "continuous"
    capex: Money = Field(description="currency per t/yr added")
    max_capacity: Tonnes | None = Field(default=None, description="t/yr over the horizon")

    @model_validator(mode="before")
    @classmethod
    def _no_module_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            extra = [f for f in _DISCRETE_FIELDS if data.get(f) is not None]
            if extra:
                raise ValueError(f"{', '.join(extra)} apply to kind 'discrete' only (add kind: discrete)")
            if data.get("capex") is None:
                raise ValueError("a continuous option needs 'capex' (currency per t/yr)")
        return data


class DiscreteOption(_Option):
    """Capacity added in whole modules, at a fixed cost per module."""

    kind: Literal["discrete"]
    fixed_cost: Money = Field(description="currency per module")
    module_size: PositiveTonnes = Field(description="t/yr per module")
    max_count: int = Field(ge=1, le=10_000, description="modules over the horizon")

    @model_validator(mode="before")
    @classmethod
    def _module_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            missing = [f for f in _DISCRETE_FIELDS if data.get(f) is None]
            if missing:
                raise ValueError(f"a discrete option needs {', '.join(missing)}")
            if data.get("capex") is not None or data.get("max_capacity") is not None:
                raise ValueError("capex and max_capacity apply to kind 'continuous' only")
        return data


def _option_kind(value: Any) -> str:
    """The tag of a build option: its `kind`, continuous when omitted."""
    kind = (
        value.get("kind", "continuous") if isinstance(value, dict) else getattr(value, "kind", "continuous")
    )
    return kind if kind in ("continuous", "discrete") else str(kind)


# A way to add capacity to a facility: continuous (capex per t/yr) or discrete modules, told apart by `kind`.
BuildOption = Annotated[
    Annotated[ContinuousOption, Tag("continuous")] | Annotated[DiscreteOption, Tag("discrete")],
    Discriminator(_option_kind),
]


class Route(Strict):
    """A shipping lane for one commodity between two regions."""

    key_fields: ClassVar[tuple[str, ...]] = ("commodity", "origin", "destination")

    commodity: Id
    origin: Id
    destination: Id
    cost: Money = Field(default=0.0, description="currency per t shipped")
    tariff: Fraction = Field(default=0.0, description="ad valorem, fraction of the commodity price")
    tariff_per_t: Money = Field(default=0.0, description="specific tariff, currency per t")


class RouteDefault(Strict):
    """Routes for every region pair between two blocs, where the origin makes and the destination uses
    the commodity and no explicit route exists."""

    key_fields: ClassVar[tuple[str, ...]] = ("from_bloc", "to_bloc", "commodities")

    from_bloc: Id
    to_bloc: Id
    commodities: IdList | None = None
    cost: Money = 0.0
    tariff: Fraction = 0.0
    tariff_per_t: Money = 0.0
