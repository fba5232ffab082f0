"""Issue 20 ("A refusal reads 'is a editor'"): a refusal names the role with its article."""

from __future__ import annotations

import pytest

from roi.access import Actor, Forbidden, Right, Role, require


@pytest.mark.parametrize(
    ("role", "right", "words"),
    [
        (Role.VIEWER, Right.SAVE, "Vera is a viewer and may not"),
        (Role.EDITOR, Right.RESTORE, "Vera is an editor and may not"),
    ],
)
def test_item11_refusal_uses_the_right_article(role, right, words):
    with pytest.raises(Forbidden) as refused:
        require(Actor("Vera", role), right)
    assert str(refused.value).startswith(words)
    assert " a editor" not in str(refused.value) and " a admin" not in str(refused.value)


def test_item11_every_role_has_its_article():
    assert [role.with_article for role in Role] == ["a viewer", "an editor", "an admin"]
