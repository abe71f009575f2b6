"""Alertmanager webhook payload, version 4 (the fields ADSH reads; extra fields ignored)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Label = Annotated[str, Field(max_length=1024)]


class AlertmanagerAlert(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: Literal["firing", "resolved"]
    labels: dict[Label, Label] = Field(description="Must include alertname")
    annotations: dict[Label, Label] = Field(default_factory=dict)
    startsAt: datetime  # noqa: N815 (Alertmanager's field names)
    endsAt: datetime | None = None  # noqa: N815
    generatorURL: str = Field(default="", max_length=2048)  # noqa: N815
    fingerprint: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")

    @field_validator("labels")
    @classmethod
    def _has_alertname(cls, labels: dict[str, str]) -> dict[str, str]:
        if not labels.get("alertname"):
            raise ValueError("labels must include a non-empty alertname")
        if len(labels) > 64:
            raise ValueError("at most 64 labels")
        return labels


class AlertmanagerPayload(BaseModel):
    """What Alertmanager POSTs to a webhook receiver (version "4")."""

    model_config = ConfigDict(extra="ignore")

    version: Literal["4"]
    groupKey: str = Field(max_length=2048)  # noqa: N815
    truncatedAlerts: int = Field(default=0, ge=0)  # noqa: N815
    status: Literal["firing", "resolved"]
    receiver: str = Field(max_length=512)
    groupLabels: dict[Label, Label] = Field(default_factory=dict)  # noqa: N815
    commonLabels: dict[Label, Label] = Field(default_factory=dict)  # noqa: N815
    commonAnnotations: dict[Label, Label] = Field(default_factory=dict)  # noqa: N815
    externalURL: str = Field(default="", max_length=2048)  # noqa: N815
    alerts: list[AlertmanagerAlert] = Field(min_length=1, max_length=1000)
