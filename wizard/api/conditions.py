"""Conditions in the public API, in the same shape as they are written in the rules files.

``Condition`` is a pydantic discriminated union with one model per operator: it reads
the rulebook's condition objects (``wizard.domain.rulebook.conditions``) by their
attributes, dumps them as JSON and describes them in the OpenAPI document. Each model
is named after its operator class plus ``Condition``; that name is the union's tag, so
a new operator needs a model here and a line in the union, nowhere else in the API.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag
from typing_extensions import TypeAliasType

AnswerId = Annotated[str, Field(min_length=1)]
# Sorted, so the same condition always reads the same (the rulebook keeps them as sets).
Codes = Annotated[list[AnswerId], AfterValidator(sorted), Field(min_length=1)]


class Operator(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        from_attributes=True,
        serialize_by_alias=True,
        json_schema_serialization_defaults_required=True,
    )


class EqualsCondition(Operator):
    """The answer is this code."""

    answer: AnswerId
    equals: AnswerId = Field(validation_alias="value")


class InCondition(Operator):
    """The answer is one of these codes."""

    answer: AnswerId
    in_: Codes = Field(validation_alias="values", serialization_alias="in")


class AnyInCondition(Operator):
    """A multiple-choice answer includes any of these codes."""

    answer: AnswerId
    any_in: Codes = Field(validation_alias="values")


class AnsweredCondition(Operator):
    """The question was answered."""

    answered: AnswerId = Field(validation_alias="answer")


class AllCondition(Operator):
    """Every part holds."""

    all_: list[Condition] = Field(validation_alias="parts", serialization_alias="all", min_length=1)


class AnyCondition(Operator):
    """At least one part holds."""

    any_: list[Condition] = Field(validation_alias="parts", serialization_alias="any", min_length=1)


class NotCondition(Operator):
    """The part does not hold."""

    not_: Condition = Field(validation_alias="part", serialization_alias="not")


class AlwaysCondition(Operator):
    """Always holds."""

    always: Literal[True] = True


def _operator(condition: object) -> str:
    """The tag of a rulebook condition (``Equals``) or of its model here (``EqualsCondition``)."""
    return type(condition).__name__.removesuffix("Condition")


Condition = TypeAliasType(
    "Condition",
    Annotated[
        Annotated[EqualsCondition, Tag("Equals")]
        | Annotated[InCondition, Tag("In")]
        | Annotated[AnyInCondition, Tag("AnyIn")]
        | Annotated[AnsweredCondition, Tag("Answered")]
        | Annotated[AllCondition, Tag("All")]
        | Annotated[AnyCondition, Tag("Any")]
        | Annotated[NotCondition, Tag("Not")]
        | Annotated[AlwaysCondition, Tag("Always")],
        Discriminator(_operator),
        Field(
            description="A condition, in the same shape as in the rules files. "
            "Conditions test option codes; `region` is derived from the country answer."
        ),
    ],
)

for _model in (AllCondition, AnyCondition, NotCondition):
    _model.model_rebuild()
