from . import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateFilingRequest(_message.Message):
    __slots__ = ("header", "psn_no", "category", "dest_admdvs", "begndate", "enddate", "evidence", "channel", "memo")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DEST_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    BEGNDATE_FIELD_NUMBER: _ClassVar[int]
    ENDDATE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    category: str
    dest_admdvs: str
    begndate: str
    enddate: str
    evidence: str
    channel: str
    memo: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., category: _Optional[str] = ..., dest_admdvs: _Optional[str] = ..., begndate: _Optional[str] = ..., enddate: _Optional[str] = ..., evidence: _Optional[str] = ..., channel: _Optional[str] = ..., memo: _Optional[str] = ...) -> None: ...

class ChangeFilingRequest(_message.Message):
    __slots__ = ("header", "psn_no", "filing_id", "dest_admdvs", "begndate", "enddate", "evidence", "channel", "memo")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    FILING_ID_FIELD_NUMBER: _ClassVar[int]
    DEST_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    BEGNDATE_FIELD_NUMBER: _ClassVar[int]
    ENDDATE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    filing_id: str
    dest_admdvs: str
    begndate: str
    enddate: str
    evidence: str
    channel: str
    memo: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., filing_id: _Optional[str] = ..., dest_admdvs: _Optional[str] = ..., begndate: _Optional[str] = ..., enddate: _Optional[str] = ..., evidence: _Optional[str] = ..., channel: _Optional[str] = ..., memo: _Optional[str] = ...) -> None: ...

class RevokeFilingRequest(_message.Message):
    __slots__ = ("header", "psn_no", "filing_id", "memo")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    FILING_ID_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    filing_id: str
    memo: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., filing_id: _Optional[str] = ..., memo: _Optional[str] = ...) -> None: ...

class FilingResponse(_message.Message):
    __slots__ = ("header", "filing")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    FILING_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    filing: _common_pb2.FilingInfo
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., filing: _Optional[_Union[_common_pb2.FilingInfo, _Mapping]] = ...) -> None: ...

class QueryFilingsRequest(_message.Message):
    __slots__ = ("header", "psn_no")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ...) -> None: ...

class QueryFilingsResponse(_message.Message):
    __slots__ = ("header", "filings")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    FILINGS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    filings: _containers.RepeatedCompositeFieldContainer[_common_pb2.FilingInfo]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., filings: _Optional[_Iterable[_Union[_common_pb2.FilingInfo, _Mapping]]] = ...) -> None: ...

class QualifyChronicRequest(_message.Message):
    __slots__ = ("header", "psn_no", "opsp_dise_code", "begndate", "enddate", "hosp_name")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    OPSP_DISE_CODE_FIELD_NUMBER: _ClassVar[int]
    BEGNDATE_FIELD_NUMBER: _ClassVar[int]
    ENDDATE_FIELD_NUMBER: _ClassVar[int]
    HOSP_NAME_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    opsp_dise_code: str
    begndate: str
    enddate: str
    hosp_name: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., opsp_dise_code: _Optional[str] = ..., begndate: _Optional[str] = ..., enddate: _Optional[str] = ..., hosp_name: _Optional[str] = ...) -> None: ...

class RevokeQualificationRequest(_message.Message):
    __slots__ = ("header", "psn_no", "qual_id")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    QUAL_ID_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    qual_id: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., qual_id: _Optional[str] = ...) -> None: ...

class QualificationResponse(_message.Message):
    __slots__ = ("header", "qualification")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    QUALIFICATION_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    qualification: _common_pb2.ChronicQualInfo
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., qualification: _Optional[_Union[_common_pb2.ChronicQualInfo, _Mapping]] = ...) -> None: ...

class QueryQualificationsRequest(_message.Message):
    __slots__ = ("header", "psn_no")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ...) -> None: ...

class QueryQualificationsResponse(_message.Message):
    __slots__ = ("header", "qualifications")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    QUALIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    qualifications: _containers.RepeatedCompositeFieldContainer[_common_pb2.ChronicQualInfo]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., qualifications: _Optional[_Iterable[_Union[_common_pb2.ChronicQualInfo, _Mapping]]] = ...) -> None: ...

class FilingEvent(_message.Message):
    __slots__ = ("event_id", "infno", "psn_no", "insuplc_admdvs", "filing", "qualification", "opter", "opter_type", "event_time", "previous_dest_admdvs")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    INFNO_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    INSUPLC_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    FILING_FIELD_NUMBER: _ClassVar[int]
    QUALIFICATION_FIELD_NUMBER: _ClassVar[int]
    OPTER_FIELD_NUMBER: _ClassVar[int]
    OPTER_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_DEST_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    infno: str
    psn_no: str
    insuplc_admdvs: str
    filing: _common_pb2.FilingInfo
    qualification: _common_pb2.ChronicQualInfo
    opter: str
    opter_type: str
    event_time: str
    previous_dest_admdvs: str
    def __init__(self, event_id: _Optional[str] = ..., infno: _Optional[str] = ..., psn_no: _Optional[str] = ..., insuplc_admdvs: _Optional[str] = ..., filing: _Optional[_Union[_common_pb2.FilingInfo, _Mapping]] = ..., qualification: _Optional[_Union[_common_pb2.ChronicQualInfo, _Mapping]] = ..., opter: _Optional[str] = ..., opter_type: _Optional[str] = ..., event_time: _Optional[str] = ..., previous_dest_admdvs: _Optional[str] = ...) -> None: ...

class FilingEventAck(_message.Message):
    __slots__ = ("recorded",)
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    recorded: bool
    def __init__(self, recorded: _Optional[bool] = ...) -> None: ...

class FilingChangedResponse(_message.Message):
    __slots__ = ("dropped",)
    DROPPED_FIELD_NUMBER: _ClassVar[int]
    dropped: int
    def __init__(self, dropped: _Optional[int] = ...) -> None: ...

class RegistryQuery(_message.Message):
    __slots__ = ("psn_no", "filing_id", "insuplc_admdvs", "dest_admdvs", "limit")
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    FILING_ID_FIELD_NUMBER: _ClassVar[int]
    INSUPLC_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    DEST_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    psn_no: str
    filing_id: str
    insuplc_admdvs: str
    dest_admdvs: str
    limit: int
    def __init__(self, psn_no: _Optional[str] = ..., filing_id: _Optional[str] = ..., insuplc_admdvs: _Optional[str] = ..., dest_admdvs: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class RegistryEntry(_message.Message):
    __slots__ = ("event", "received_at")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    event: FilingEvent
    received_at: str
    def __init__(self, event: _Optional[_Union[FilingEvent, _Mapping]] = ..., received_at: _Optional[str] = ...) -> None: ...

class RegistryResponse(_message.Message):
    __slots__ = ("entries", "current")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[RegistryEntry]
    current: _containers.RepeatedCompositeFieldContainer[_common_pb2.FilingInfo]
    def __init__(self, entries: _Optional[_Iterable[_Union[RegistryEntry, _Mapping]]] = ..., current: _Optional[_Iterable[_Union[_common_pb2.FilingInfo, _Mapping]]] = ...) -> None: ...
