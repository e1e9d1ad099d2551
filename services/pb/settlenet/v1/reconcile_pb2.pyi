from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReconcileQuery(_message.Message):
    __slots__ = ("role", "begndate", "enddate", "counterpart", "page_size", "page_token")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    BEGNDATE_FIELD_NUMBER: _ClassVar[int]
    ENDDATE_FIELD_NUMBER: _ClassVar[int]
    COUNTERPART_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    role: str
    begndate: str
    enddate: str
    counterpart: str
    page_size: int
    page_token: str
    def __init__(self, role: _Optional[str] = ..., begndate: _Optional[str] = ..., enddate: _Optional[str] = ..., counterpart: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ReconcileRecord(_message.Message):
    __slots__ = ("setl_id", "mdtrt_id", "psn_no", "insuplc_admdvs", "mdtrtarea_admvs", "fixmedins_code", "setl_time", "refd_setl_flag", "medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "msgid")
    SETL_ID_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    INSUPLC_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    MDTRTAREA_ADMVS_FIELD_NUMBER: _ClassVar[int]
    FIXMEDINS_CODE_FIELD_NUMBER: _ClassVar[int]
    SETL_TIME_FIELD_NUMBER: _ClassVar[int]
    REFD_SETL_FLAG_FIELD_NUMBER: _ClassVar[int]
    MEDFEE_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    FUND_PAY_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    ACCT_PAY_FIELD_NUMBER: _ClassVar[int]
    PSN_CASH_PAY_FIELD_NUMBER: _ClassVar[int]
    MSGID_FIELD_NUMBER: _ClassVar[int]
    setl_id: str
    mdtrt_id: str
    psn_no: str
    insuplc_admdvs: str
    mdtrtarea_admvs: str
    fixmedins_code: str
    setl_time: str
    refd_setl_flag: str
    medfee_sumamt: int
    fund_pay_sumamt: int
    acct_pay: int
    psn_cash_pay: int
    msgid: str
    def __init__(self, setl_id: _Optional[str] = ..., mdtrt_id: _Optional[str] = ..., psn_no: _Optional[str] = ..., insuplc_admdvs: _Optional[str] = ..., mdtrtarea_admvs: _Optional[str] = ..., fixmedins_code: _Optional[str] = ..., setl_time: _Optional[str] = ..., refd_setl_flag: _Optional[str] = ..., medfee_sumamt: _Optional[int] = ..., fund_pay_sumamt: _Optional[int] = ..., acct_pay: _Optional[int] = ..., psn_cash_pay: _Optional[int] = ..., msgid: _Optional[str] = ...) -> None: ...

class ReconcileTotalsRow(_message.Message):
    __slots__ = ("treatment", "insured", "count", "medfee_sumamt", "fund_pay_sumamt", "acct_pay")
    TREATMENT_FIELD_NUMBER: _ClassVar[int]
    INSURED_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    MEDFEE_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    FUND_PAY_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    ACCT_PAY_FIELD_NUMBER: _ClassVar[int]
    treatment: str
    insured: str
    count: int
    medfee_sumamt: int
    fund_pay_sumamt: int
    acct_pay: int
    def __init__(self, treatment: _Optional[str] = ..., insured: _Optional[str] = ..., count: _Optional[int] = ..., medfee_sumamt: _Optional[int] = ..., fund_pay_sumamt: _Optional[int] = ..., acct_pay: _Optional[int] = ...) -> None: ...

class ReconcileTotals(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[ReconcileTotalsRow]
    def __init__(self, rows: _Optional[_Iterable[_Union[ReconcileTotalsRow, _Mapping]]] = ...) -> None: ...

class ReconcileDetails(_message.Message):
    __slots__ = ("records", "next_page_token")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[ReconcileRecord]
    next_page_token: str
    def __init__(self, records: _Optional[_Iterable[_Union[ReconcileRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
