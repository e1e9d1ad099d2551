from . import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PersonQuery(_message.Message):
    __slots__ = ("header", "mdtrt_cert_type", "mdtrt_cert_no", "psn_cert_type", "certno", "psn_name", "psn_no")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MDTRT_CERT_TYPE_FIELD_NUMBER: _ClassVar[int]
    MDTRT_CERT_NO_FIELD_NUMBER: _ClassVar[int]
    PSN_CERT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CERTNO_FIELD_NUMBER: _ClassVar[int]
    PSN_NAME_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    mdtrt_cert_type: str
    mdtrt_cert_no: str
    psn_cert_type: str
    certno: str
    psn_name: str
    psn_no: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., mdtrt_cert_type: _Optional[str] = ..., mdtrt_cert_no: _Optional[str] = ..., psn_cert_type: _Optional[str] = ..., certno: _Optional[str] = ..., psn_name: _Optional[str] = ..., psn_no: _Optional[str] = ...) -> None: ...

class BaseInfo(_message.Message):
    __slots__ = ("psn_no", "psn_cert_type", "certno", "psn_name", "gend", "brdy", "age")
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    PSN_CERT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CERTNO_FIELD_NUMBER: _ClassVar[int]
    PSN_NAME_FIELD_NUMBER: _ClassVar[int]
    GEND_FIELD_NUMBER: _ClassVar[int]
    BRDY_FIELD_NUMBER: _ClassVar[int]
    AGE_FIELD_NUMBER: _ClassVar[int]
    psn_no: str
    psn_cert_type: str
    certno: str
    psn_name: str
    gend: str
    brdy: str
    age: int
    def __init__(self, psn_no: _Optional[str] = ..., psn_cert_type: _Optional[str] = ..., certno: _Optional[str] = ..., psn_name: _Optional[str] = ..., gend: _Optional[str] = ..., brdy: _Optional[str] = ..., age: _Optional[int] = ...) -> None: ...

class InsuInfo(_message.Message):
    __slots__ = ("balc", "insutype", "psn_type", "psn_insu_stas", "psn_insu_date", "cvlserv_flag", "insuplc_admdvs", "emp_name")
    BALC_FIELD_NUMBER: _ClassVar[int]
    INSUTYPE_FIELD_NUMBER: _ClassVar[int]
    PSN_TYPE_FIELD_NUMBER: _ClassVar[int]
    PSN_INSU_STAS_FIELD_NUMBER: _ClassVar[int]
    PSN_INSU_DATE_FIELD_NUMBER: _ClassVar[int]
    CVLSERV_FLAG_FIELD_NUMBER: _ClassVar[int]
    INSUPLC_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    EMP_NAME_FIELD_NUMBER: _ClassVar[int]
    balc: int
    insutype: str
    psn_type: str
    psn_insu_stas: str
    psn_insu_date: str
    cvlserv_flag: str
    insuplc_admdvs: str
    emp_name: str
    def __init__(self, balc: _Optional[int] = ..., insutype: _Optional[str] = ..., psn_type: _Optional[str] = ..., psn_insu_stas: _Optional[str] = ..., psn_insu_date: _Optional[str] = ..., cvlserv_flag: _Optional[str] = ..., insuplc_admdvs: _Optional[str] = ..., emp_name: _Optional[str] = ...) -> None: ...

class IdetInfo(_message.Message):
    __slots__ = ("psn_idet_type", "begntime", "endtime")
    PSN_IDET_TYPE_FIELD_NUMBER: _ClassVar[int]
    BEGNTIME_FIELD_NUMBER: _ClassVar[int]
    ENDTIME_FIELD_NUMBER: _ClassVar[int]
    psn_idet_type: str
    begntime: str
    endtime: str
    def __init__(self, psn_idet_type: _Optional[str] = ..., begntime: _Optional[str] = ..., endtime: _Optional[str] = ...) -> None: ...

class PersonInfo(_message.Message):
    __slots__ = ("header", "baseinfo", "insuinfo", "idetinfo", "fileinfo", "opspinfo")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    BASEINFO_FIELD_NUMBER: _ClassVar[int]
    INSUINFO_FIELD_NUMBER: _ClassVar[int]
    IDETINFO_FIELD_NUMBER: _ClassVar[int]
    FILEINFO_FIELD_NUMBER: _ClassVar[int]
    OPSPINFO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    baseinfo: BaseInfo
    insuinfo: _containers.RepeatedCompositeFieldContainer[InsuInfo]
    idetinfo: _containers.RepeatedCompositeFieldContainer[IdetInfo]
    fileinfo: _containers.RepeatedCompositeFieldContainer[_common_pb2.FilingInfo]
    opspinfo: _containers.RepeatedCompositeFieldContainer[_common_pb2.ChronicQualInfo]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., baseinfo: _Optional[_Union[BaseInfo, _Mapping]] = ..., insuinfo: _Optional[_Iterable[_Union[InsuInfo, _Mapping]]] = ..., idetinfo: _Optional[_Iterable[_Union[IdetInfo, _Mapping]]] = ..., fileinfo: _Optional[_Iterable[_Union[_common_pb2.FilingInfo, _Mapping]]] = ..., opspinfo: _Optional[_Iterable[_Union[_common_pb2.ChronicQualInfo, _Mapping]]] = ...) -> None: ...

class SettleClaim(_message.Message):
    __slots__ = ("header", "psn_no", "insutype", "med_type", "mdtrt_id", "medins_lv", "setl_date", "acct_used_flag", "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "diseinfo", "invono", "fixmedins_code", "opsp_dise_code", "refl_flag")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    INSUTYPE_FIELD_NUMBER: _ClassVar[int]
    MED_TYPE_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    MEDINS_LV_FIELD_NUMBER: _ClassVar[int]
    SETL_DATE_FIELD_NUMBER: _ClassVar[int]
    ACCT_USED_FLAG_FIELD_NUMBER: _ClassVar[int]
    MEDFEE_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    FULAMT_OWNPAY_AMT_FIELD_NUMBER: _ClassVar[int]
    OVERLMT_SELFPAY_FIELD_NUMBER: _ClassVar[int]
    PRESELFPAY_AMT_FIELD_NUMBER: _ClassVar[int]
    INSCP_SCP_AMT_FIELD_NUMBER: _ClassVar[int]
    DISEINFO_FIELD_NUMBER: _ClassVar[int]
    INVONO_FIELD_NUMBER: _ClassVar[int]
    FIXMEDINS_CODE_FIELD_NUMBER: _ClassVar[int]
    OPSP_DISE_CODE_FIELD_NUMBER: _ClassVar[int]
    REFL_FLAG_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    insutype: str
    med_type: str
    mdtrt_id: str
    medins_lv: str
    setl_date: str
    acct_used_flag: str
    medfee_sumamt: int
    fulamt_ownpay_amt: int
    overlmt_selfpay: int
    preselfpay_amt: int
    inscp_scp_amt: int
    diseinfo: _containers.RepeatedCompositeFieldContainer[_common_pb2.Diagnosis]
    invono: str
    fixmedins_code: str
    opsp_dise_code: str
    refl_flag: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., insutype: _Optional[str] = ..., med_type: _Optional[str] = ..., mdtrt_id: _Optional[str] = ..., medins_lv: _Optional[str] = ..., setl_date: _Optional[str] = ..., acct_used_flag: _Optional[str] = ..., medfee_sumamt: _Optional[int] = ..., fulamt_ownpay_amt: _Optional[int] = ..., overlmt_selfpay: _Optional[int] = ..., preselfpay_amt: _Optional[int] = ..., inscp_scp_amt: _Optional[int] = ..., diseinfo: _Optional[_Iterable[_Union[_common_pb2.Diagnosis, _Mapping]]] = ..., invono: _Optional[str] = ..., fixmedins_code: _Optional[str] = ..., opsp_dise_code: _Optional[str] = ..., refl_flag: _Optional[str] = ...) -> None: ...

class SettleResult(_message.Message):
    __slots__ = ("header", "setlinfo")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    SETLINFO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    setlinfo: _common_pb2.SetlInfo
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., setlinfo: _Optional[_Union[_common_pb2.SetlInfo, _Mapping]] = ...) -> None: ...

class RevokeClaim(_message.Message):
    __slots__ = ("header", "setl_id", "mdtrt_id", "psn_no")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    SETL_ID_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    setl_id: str
    mdtrt_id: str
    psn_no: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., setl_id: _Optional[str] = ..., mdtrt_id: _Optional[str] = ..., psn_no: _Optional[str] = ...) -> None: ...
