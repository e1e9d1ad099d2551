"""9001 sign-ins (the HTTP interface's ``sign_no``), kept in the node's database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from provincial_nodes.adapters.tables import sign_ins


@dataclass(frozen=True)
class SignIn:
    sign_no: str
    fixmedins_code: str
    opter_no: str
    signed_in_at: str
    signed_out_at: str | None


class SignInRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, sign_in: SignIn, mac: str, ip: str) -> None:
        self.conn.execute(
            insert(sign_ins).values(
                sign_no=sign_in.sign_no,
                fixmedins_code=sign_in.fixmedins_code,
                opter_no=sign_in.opter_no,
                mac=mac,
                ip=ip,
                signed_in_at=sign_in.signed_in_at,
                signed_out_at=None,
            )
        )

    def get(self, sign_no: str) -> SignIn | None:
        row = self.conn.execute(
            select(
                sign_ins.c.sign_no,
                sign_ins.c.fixmedins_code,
                sign_ins.c.opter_no,
                sign_ins.c.signed_in_at,
                sign_ins.c.signed_out_at,
            ).where(sign_ins.c.sign_no == sign_no)
        ).first()
        return SignIn(*row) if row is not None else None

    def sign_out(self, sign_no: str, at: str) -> None:
        self.conn.execute(
            update(sign_ins).where(sign_ins.c.sign_no == sign_no).values(signed_out_at=at)
        )
