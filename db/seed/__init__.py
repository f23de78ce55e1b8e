"""Deterministic demo and benchmark data, loaded with COPY.

context     Size (how much) and SchoolContext (one school's fixed facts)
ids         time-ordered, seeded UUIDs (COPY needs ids up front)
logins      argon2id hashes of the demo password
people, teaching, finance, pastoral
            each builds one concern's rows for one school
model       the tables in load order, one World per school
load        COPY in dependency order, in one transaction
cli         `school-gateway seed` and `serve --demo`
"""
