from . import common_pb2 as _common_pb2
from . import insured_pb2 as _insured_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegisterVisitRequest(_message.Message):
    __slots__ = ("header", "psn_no", "insutype", "begntime", "mdtrt_cert_type", "mdtrt_cert_no", "ipt_otp_no", "atddr_no", "dr_name", "dept_code", "dept_name", "caty", "med_type", "diseinfo", "opsp_dise_code", "refl_flag")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    INSUTYPE_FIELD_NUMBER: _ClassVar[int]
    BEGNTIME_FIELD_NUMBER: _ClassVar[int]
    MDTRT_CERT_TYPE_FIELD_NUMBER: _ClassVar[int]
    MDTRT_CERT_NO_FIELD_NUMBER: _ClassVar[int]
    IPT_OTP_NO_FIELD_NUMBER: _ClassVar[int]
    ATDDR_NO_FIELD_NUMBER: _ClassVar[int]
    DR_NAME_FIELD_NUMBER: _ClassVar[int]
    DEPT_CODE_FIELD_NUMBER: _ClassVar[int]
    DEPT_NAME_FIELD_NUMBER: _ClassVar[int]
    CATY_FIELD_NUMBER: _ClassVar[int]
    MED_TYPE_FIELD_NUMBER: _ClassVar[int]
    DISEINFO_FIELD_NUMBER: _ClassVar[int]
    OPSP_DISE_CODE_FIELD_NUMBER: _ClassVar[int]
    REFL_FLAG_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    insutype: str
    begntime: str
    mdtrt_cert_type: str
    mdtrt_cert_no: str
    ipt_otp_no: str
    atddr_no: str
    dr_name: str
    dept_code: str
    dept_name: str
    caty: str
    med_type: str
    diseinfo: _containers.RepeatedCompositeFieldContainer[_common_pb2.Diagnosis]
    opsp_dise_code: str
    refl_flag: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., insutype: _Optional[str] = ..., begntime: _Optional[str] = ..., mdtrt_cert_type: _Optional[str] = ..., mdtrt_cert_no: _Optional[str] = ..., ipt_otp_no: _Optional[str] = ..., atddr_no: _Optional[str] = ..., dr_name: _Optional[str] = ..., dept_code: _Optional[str] = ..., dept_name: _Optional[str] = ..., caty: _Optional[str] = ..., med_type: _Optional[str] = ..., diseinfo: _Optional[_Iterable[_Union[_common_pb2.Diagnosis, _Mapping]]] = ..., opsp_dise_code: _Optional[str] = ..., refl_flag: _Optional[str] = ...) -> None: ...

class RegisterVisitResponse(_message.Message):
    __slots__ = ("header", "mdtrt_id", "psn_no", "ipt_otp_no", "filing_id", "filing_status")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    IPT_OTP_NO_FIELD_NUMBER: _ClassVar[int]
    FILING_ID_FIELD_NUMBER: _ClassVar[int]
    FILING_STATUS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    mdtrt_id: str
    psn_no: str
    ipt_otp_no: str
    filing_id: str
    filing_status: str
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., mdtrt_id: _Optional[str] = ..., psn_no: _Optional[str] = ..., ipt_otp_no: _Optional[str] = ..., filing_id: _Optional[str] = ..., filing_status: _Optional[str] = ...) -> None: ...

class FeeDetail(_message.Message):
    __slots__ = ("feedetl_sn", "rx_circ_flag", "fee_ocur_time", "med_list_codg", "medins_list_codg", "det_item_fee_sumamt", "cnt", "pric", "bilg_dept_codg", "bilg_dr_codg")
    FEEDETL_SN_FIELD_NUMBER: _ClassVar[int]
    RX_CIRC_FLAG_FIELD_NUMBER: _ClassVar[int]
    FEE_OCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    MED_LIST_CODG_FIELD_NUMBER: _ClassVar[int]
    MEDINS_LIST_CODG_FIELD_NUMBER: _ClassVar[int]
    DET_ITEM_FEE_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    CNT_FIELD_NUMBER: _ClassVar[int]
    PRIC_FIELD_NUMBER: _ClassVar[int]
    BILG_DEPT_CODG_FIELD_NUMBER: _ClassVar[int]
    BILG_DR_CODG_FIELD_NUMBER: _ClassVar[int]
    feedetl_sn: str
    rx_circ_flag: str
    fee_ocur_time: str
    med_list_codg: str
    medins_list_codg: str
    det_item_fee_sumamt: int
    cnt: str
    pric: int
    bilg_dept_codg: str
    bilg_dr_codg: str
    def __init__(self, feedetl_sn: _Optional[str] = ..., rx_circ_flag: _Optional[str] = ..., fee_ocur_time: _Optional[str] = ..., med_list_codg: _Optional[str] = ..., medins_list_codg: _Optional[str] = ..., det_item_fee_sumamt: _Optional[int] = ..., cnt: _Optional[str] = ..., pric: _Optional[int] = ..., bilg_dept_codg: _Optional[str] = ..., bilg_dr_codg: _Optional[str] = ...) -> None: ...

class UploadFeeDetailsRequest(_message.Message):
    __slots__ = ("header", "mdtrt_id", "psn_no", "chrg_bchno", "feedetail")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    CHRG_BCHNO_FIELD_NUMBER: _ClassVar[int]
    FEEDETAIL_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    mdtrt_id: str
    psn_no: str
    chrg_bchno: str
    feedetail: _containers.RepeatedCompositeFieldContainer[FeeDetail]
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., mdtrt_id: _Optional[str] = ..., psn_no: _Optional[str] = ..., chrg_bchno: _Optional[str] = ..., feedetail: _Optional[_Iterable[_Union[FeeDetail, _Mapping]]] = ...) -> None: ...

class FeeDetailResult(_message.Message):
    __slots__ = ("feedetl_sn", "med_list_codg", "med_list_name", "det_item_fee_sumamt", "cnt", "pric", "pric_uplmt_amt", "selfpay_prop", "fulamt_ownpay_amt", "overlmt_amt", "preselfpay_amt", "inscp_scp_amt", "chrgitm_lv", "med_chrgitm_type", "lmt_used_flag", "list_type", "reason_codes", "memo")
    FEEDETL_SN_FIELD_NUMBER: _ClassVar[int]
    MED_LIST_CODG_FIELD_NUMBER: _ClassVar[int]
    MED_LIST_NAME_FIELD_NUMBER: _ClassVar[int]
    DET_ITEM_FEE_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    CNT_FIELD_NUMBER: _ClassVar[int]
    PRIC_FIELD_NUMBER: _ClassVar[int]
    PRIC_UPLMT_AMT_FIELD_NUMBER: _ClassVar[int]
    SELFPAY_PROP_FIELD_NUMBER: _ClassVar[int]
    FULAMT_OWNPAY_AMT_FIELD_NUMBER: _ClassVar[int]
    OVERLMT_AMT_FIELD_NUMBER: _ClassVar[int]
    PRESELFPAY_AMT_FIELD_NUMBER: _ClassVar[int]
    INSCP_SCP_AMT_FIELD_NUMBER: _ClassVar[int]
    CHRGITM_LV_FIELD_NUMBER: _ClassVar[int]
    MED_CHRGITM_TYPE_FIELD_NUMBER: _ClassVar[int]
    LMT_USED_FLAG_FIELD_NUMBER: _ClassVar[int]
    LIST_TYPE_FIELD_NUMBER: _ClassVar[int]
    REASON_CODES_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    feedetl_sn: str
    med_list_codg: str
    med_list_name: str
    det_item_fee_sumamt: int
    cnt: str
    pric: int
    pric_uplmt_amt: int
    selfpay_prop: str
    fulamt_ownpay_amt: int
    overlmt_amt: int
    preselfpay_amt: int
    inscp_scp_amt: int
    chrgitm_lv: str
    med_chrgitm_type: str
    lmt_used_flag: str
    list_type: str
    reason_codes: _containers.RepeatedScalarFieldContainer[str]
    memo: str
    def __init__(self, feedetl_sn: _Optional[str] = ..., med_list_codg: _Optional[str] = ..., med_list_name: _Optional[str] = ..., det_item_fee_sumamt: _Optional[int] = ..., cnt: _Optional[str] = ..., pric: _Optional[int] = ..., pric_uplmt_amt: _Optional[int] = ..., selfpay_prop: _Optional[str] = ..., fulamt_ownpay_amt: _Optional[int] = ..., overlmt_amt: _Optional[int] = ..., preselfpay_amt: _Optional[int] = ..., inscp_scp_amt: _Optional[int] = ..., chrgitm_lv: _Optional[str] = ..., med_chrgitm_type: _Optional[str] = ..., lmt_used_flag: _Optional[str] = ..., list_type: _Optional[str] = ..., reason_codes: _Optional[_Iterable[str]] = ..., memo: _Optional[str] = ...) -> None: ...

class UploadFeeDetailsResponse(_message.Message):
    __slots__ = ("header", "result")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    result: _containers.RepeatedCompositeFieldContainer[FeeDetailResult]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., result: _Optional[_Iterable[_Union[FeeDetailResult, _Mapping]]] = ...) -> None: ...

class SettleRequest(_message.Message):
    __slots__ = ("header", "psn_no", "mdtrt_cert_type", "mdtrt_cert_no", "med_type", "medfee_sumamt", "psn_setlway", "mdtrt_id", "chrg_bchno", "acct_used_flag", "insutype", "invono", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    MDTRT_CERT_TYPE_FIELD_NUMBER: _ClassVar[int]
    MDTRT_CERT_NO_FIELD_NUMBER: _ClassVar[int]
    MED_TYPE_FIELD_NUMBER: _ClassVar[int]
    MEDFEE_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    PSN_SETLWAY_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    CHRG_BCHNO_FIELD_NUMBER: _ClassVar[int]
    ACCT_USED_FLAG_FIELD_NUMBER: _ClassVar[int]
    INSUTYPE_FIELD_NUMBER: _ClassVar[int]
    INVONO_FIELD_NUMBER: _ClassVar[int]
    FULAMT_OWNPAY_AMT_FIELD_NUMBER: _ClassVar[int]
    OVERLMT_SELFPAY_FIELD_NUMBER: _ClassVar[int]
    PRESELFPAY_AMT_FIELD_NUMBER: _ClassVar[int]
    INSCP_SCP_AMT_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    mdtrt_cert_type: str
    mdtrt_cert_no: str
    med_type: str
    medfee_sumamt: int
    psn_setlway: str
    mdtrt_id: str
    chrg_bchno: str
    acct_used_flag: str
    insutype: str
    invono: str
    fulamt_ownpay_amt: int
    overlmt_selfpay: int
    preselfpay_amt: int
    inscp_scp_amt: int
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., mdtrt_cert_type: _Optional[str] = ..., mdtrt_cert_no: _Optional[str] = ..., med_type: _Optional[str] = ..., medfee_sumamt: _Optional[int] = ..., psn_setlway: _Optional[str] = ..., mdtrt_id: _Optional[str] = ..., chrg_bchno: _Optional[str] = ..., acct_used_flag: _Optional[str] = ..., insutype: _Optional[str] = ..., invono: _Optional[str] = ..., fulamt_ownpay_amt: _Optional[int] = ..., overlmt_selfpay: _Optional[int] = ..., preselfpay_amt: _Optional[int] = ..., inscp_scp_amt: _Optional[int] = ...) -> None: ...

class SettleResponse(_message.Message):
    __slots__ = ("header", "setlinfo")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    SETLINFO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    setlinfo: _common_pb2.SetlInfo
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., setlinfo: _Optional[_Union[_common_pb2.SetlInfo, _Mapping]] = ...) -> None: ...

class RevokeSettlementRequest(_message.Message):
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

class RevokeSettlementResponse(_message.Message):
    __slots__ = ("header", "setlinfo")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    SETLINFO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    setlinfo: _common_pb2.SetlInfo
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., setlinfo: _Optional[_Union[_common_pb2.SetlInfo, _Mapping]] = ...) -> None: ...

class QuerySettlementRequest(_message.Message):
    __slots__ = ("header", "mdtrt_id", "setl_id")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    SETL_ID_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    mdtrt_id: str
    setl_id: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., mdtrt_id: _Optional[str] = ..., setl_id: _Optional[str] = ...) -> None: ...

class QuerySettlementResponse(_message.Message):
    __slots__ = ("header", "setlinfo")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    SETLINFO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    setlinfo: _containers.RepeatedCompositeFieldContainer[_common_pb2.SetlInfo]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., setlinfo: _Optional[_Iterable[_Union[_common_pb2.SetlInfo, _Mapping]]] = ...) -> None: ...

class CancelRegistrationRequest(_message.Message):
    __slots__ = ("header", "psn_no", "mdtrt_id", "ipt_otp_no")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    IPT_OTP_NO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    mdtrt_id: str
    ipt_otp_no: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., mdtrt_id: _Optional[str] = ..., ipt_otp_no: _Optional[str] = ...) -> None: ...

class CancelRegistrationResponse(_message.Message):
    __slots__ = ("header", "mdtrt_id", "psn_no", "ipt_otp_no", "removed_lines")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    IPT_OTP_NO_FIELD_NUMBER: _ClassVar[int]
    REMOVED_LINES_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    mdtrt_id: str
    psn_no: str
    ipt_otp_no: str
    removed_lines: int
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., mdtrt_id: _Optional[str] = ..., psn_no: _Optional[str] = ..., ipt_otp_no: _Optional[str] = ..., removed_lines: _Optional[int] = ...) -> None: ...

class UploadDiagnosesRequest(_message.Message):
    __slots__ = ("header", "mdtrtinfo", "diseinfo")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MDTRTINFO_FIELD_NUMBER: _ClassVar[int]
    DISEINFO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    mdtrtinfo: MdtrtInfo
    diseinfo: _containers.RepeatedCompositeFieldContainer[_common_pb2.Diagnosis]
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., mdtrtinfo: _Optional[_Union[MdtrtInfo, _Mapping]] = ..., diseinfo: _Optional[_Iterable[_Union[_common_pb2.Diagnosis, _Mapping]]] = ...) -> None: ...

class MdtrtInfo(_message.Message):
    __slots__ = ("mdtrt_id", "psn_no", "med_type", "begntime", "main_cond_dscr", "dise_codg", "dise_name", "birctrl_type", "birctrl_matn_date", "matn_type", "geso_val")
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    MED_TYPE_FIELD_NUMBER: _ClassVar[int]
    BEGNTIME_FIELD_NUMBER: _ClassVar[int]
    MAIN_COND_DSCR_FIELD_NUMBER: _ClassVar[int]
    DISE_CODG_FIELD_NUMBER: _ClassVar[int]
    DISE_NAME_FIELD_NUMBER: _ClassVar[int]
    BIRCTRL_TYPE_FIELD_NUMBER: _ClassVar[int]
    BIRCTRL_MATN_DATE_FIELD_NUMBER: _ClassVar[int]
    MATN_TYPE_FIELD_NUMBER: _ClassVar[int]
    GESO_VAL_FIELD_NUMBER: _ClassVar[int]
    mdtrt_id: str
    psn_no: str
    med_type: str
    begntime: str
    main_cond_dscr: str
    dise_codg: str
    dise_name: str
    birctrl_type: str
    birctrl_matn_date: str
    matn_type: str
    geso_val: int
    def __init__(self, mdtrt_id: _Optional[str] = ..., psn_no: _Optional[str] = ..., med_type: _Optional[str] = ..., begntime: _Optional[str] = ..., main_cond_dscr: _Optional[str] = ..., dise_codg: _Optional[str] = ..., dise_name: _Optional[str] = ..., birctrl_type: _Optional[str] = ..., birctrl_matn_date: _Optional[str] = ..., matn_type: _Optional[str] = ..., geso_val: _Optional[int] = ...) -> None: ...

class UploadDiagnosesResponse(_message.Message):
    __slots__ = ("header", "mdtrt_id", "med_type", "opsp_dise_code", "diag_codes")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    MED_TYPE_FIELD_NUMBER: _ClassVar[int]
    OPSP_DISE_CODE_FIELD_NUMBER: _ClassVar[int]
    DIAG_CODES_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    mdtrt_id: str
    med_type: str
    opsp_dise_code: str
    diag_codes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., mdtrt_id: _Optional[str] = ..., med_type: _Optional[str] = ..., opsp_dise_code: _Optional[str] = ..., diag_codes: _Optional[_Iterable[str]] = ...) -> None: ...

class CancelFeeDetailsRequest(_message.Message):
    __slots__ = ("header", "mdtrt_id", "chrg_bchno", "psn_no")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    CHRG_BCHNO_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    mdtrt_id: str
    chrg_bchno: str
    psn_no: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., mdtrt_id: _Optional[str] = ..., chrg_bchno: _Optional[str] = ..., psn_no: _Optional[str] = ...) -> None: ...

class CancelFeeDetailsResponse(_message.Message):
    __slots__ = ("header", "mdtrt_id", "chrg_bchno", "feedetl_sn")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    CHRG_BCHNO_FIELD_NUMBER: _ClassVar[int]
    FEEDETL_SN_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    mdtrt_id: str
    chrg_bchno: str
    feedetl_sn: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., mdtrt_id: _Optional[str] = ..., chrg_bchno: _Optional[str] = ..., feedetl_sn: _Optional[_Iterable[str]] = ...) -> None: ...

class QueryFeeDetailsRequest(_message.Message):
    __slots__ = ("header", "psn_no", "setl_id", "mdtrt_id")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    SETL_ID_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    setl_id: str
    mdtrt_id: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., setl_id: _Optional[str] = ..., mdtrt_id: _Optional[str] = ...) -> None: ...

class FeeDetailRecord(_message.Message):
    __slots__ = ("result", "mdtrt_id", "setl_id", "med_type", "fee_ocur_time", "chrg_bchno", "medins_list_codg", "bilg_dept_codg", "bilg_dr_codg", "rx_circ_flag", "upload_msgid")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    SETL_ID_FIELD_NUMBER: _ClassVar[int]
    MED_TYPE_FIELD_NUMBER: _ClassVar[int]
    FEE_OCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    CHRG_BCHNO_FIELD_NUMBER: _ClassVar[int]
    MEDINS_LIST_CODG_FIELD_NUMBER: _ClassVar[int]
    BILG_DEPT_CODG_FIELD_NUMBER: _ClassVar[int]
    BILG_DR_CODG_FIELD_NUMBER: _ClassVar[int]
    RX_CIRC_FLAG_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_MSGID_FIELD_NUMBER: _ClassVar[int]
    result: FeeDetailResult
    mdtrt_id: str
    setl_id: str
    med_type: str
    fee_ocur_time: str
    chrg_bchno: str
    medins_list_codg: str
    bilg_dept_codg: str
    bilg_dr_codg: str
    rx_circ_flag: str
    upload_msgid: str
    def __init__(self, result: _Optional[_Union[FeeDetailResult, _Mapping]] = ..., mdtrt_id: _Optional[str] = ..., setl_id: _Optional[str] = ..., med_type: _Optional[str] = ..., fee_ocur_time: _Optional[str] = ..., chrg_bchno: _Optional[str] = ..., medins_list_codg: _Optional[str] = ..., bilg_dept_codg: _Optional[str] = ..., bilg_dr_codg: _Optional[str] = ..., rx_circ_flag: _Optional[str] = ..., upload_msgid: _Optional[str] = ...) -> None: ...

class QueryFeeDetailsResponse(_message.Message):
    __slots__ = ("header", "feedetail")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    FEEDETAIL_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    feedetail: _containers.RepeatedCompositeFieldContainer[FeeDetailRecord]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., feedetail: _Optional[_Iterable[_Union[FeeDetailRecord, _Mapping]]] = ...) -> None: ...
