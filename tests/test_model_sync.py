"""The checker cannot import the build-time model (no pydantic in the browser), so the few vocabularies
both sides name are declared twice; these tests keep the two declarations equal."""

from __future__ import annotations

import typing

import pytest

from checker import rules
from checker.signing import SCHEMES
from keyguide import model


@pytest.mark.parametrize(
    ("model_literal", "checker_values"),
    [
        (model.SchemeId, tuple(SCHEMES)),
        (model.Alphabet, rules.ALPHABETS),
        (model.ErrorKind, rules.ERROR_KINDS),
        (model.SignedField, rules.REQUEST_FIELDS),
        (model.CredentialFormat.model_fields["case"].annotation, rules.CASES),
        (model.SigningExample.model_fields["compare"].annotation, rules.COMPARES),
    ],
    ids=["schemes", "alphabets", "error-kinds", "signed-fields", "cases", "compare"],
)
def test_vocabularies_match(model_literal: object, checker_values: tuple[str, ...]) -> None:
    assert set(typing.get_args(model_literal)) == set(checker_values)
