"""The shared fixtures themselves: a school is made, and the authenticator can become an API role."""

import asyncpg

from tests.db.conftest import act_as
from tests.factories import School


async def test_authenticator_becomes_the_claimed_role_with_its_claims(authenticator: asyncpg.Connection, school: School) -> None:
    await act_as(authenticator, "teacher", school_id=school.id, sub=school.teacher_user)
    row = await authenticator.fetchrow("select current_user::text as who, auth.school_id() as sid, auth.user_id() as uid")
    assert (row["who"], row["sid"], row["uid"]) == ("teacher", school.id, school.teacher_user)
