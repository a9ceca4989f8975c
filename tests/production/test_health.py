"""/healthz tells a load balancer whether this node can reach its database."""

import pytest
from django.db import OperationalError, connection


@pytest.mark.django_db
def test_health_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
@pytest.mark.stale_figures  # the database refuses until the fixtures are torn down
def test_health_answers_503_when_the_database_refuses(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
