"""Redaction: every kind of secret is masked; ordinary incident text is left alone."""

import pytest

from memory.redaction import MASK, redact

SECRETS = [
    ("password=hunter2 in the config", "hunter2"),
    ('db_password: "s3cr3t!"', "s3cr3t!"),
    ("api_key=abcd1234efgh", "abcd1234efgh"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX3g", "eyJhbGci"),
    ("curl -H 'Authorization: Basic dXNlcjpwYXNz' host", "dXNlcjpwYXNz"),
    ("bearer abcdefghijklmnop1234", "abcdefghijklmnop1234"),
    ("key AKIAIOSFODNN7EXAMPLE leaked", "AKIAIOSFODNN7EXAMPLE"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----", "MIIEow"),
    ("postgres://orders:pa55word@orders-db:5432/orders", "pa55word"),
    ("token ghp_abcdefghijklmnopqrstuvwx123 pushed", "ghp_abcdefghijklmnop"),
    ("OPENAI sk-proj-abcdefghijklmnopqrstu used", "sk-proj-abcdefghij"),
    ("paged ana.lopez+oncall@example.co.uk at 03:00", "ana.lopez"),
]


def test_a_url_user_at_host_is_not_taken_for_an_email() -> None:
    assert redact("postgres://orders@db.example.com/x") == "postgres://orders@db.example.com/x"


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_secret_is_masked(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert MASK in cleaned


def test_connection_string_keeps_user_and_host() -> None:
    assert redact("postgres://orders:pa55word@orders-db:5432/x") == (
        f"postgres://orders:{MASK}@orders-db:5432/x"
    )


def test_incident_text_is_untouched() -> None:
    text = (
        "Symptoms: catalog memory rose; auth throughput fell\n"
        "Root cause: certificate_expiry at auth (confirmed by recovery)\n"
        "Actions: renew_certificate(auth), set_pool_size(inventory)"
    )
    assert redact(text) == text
