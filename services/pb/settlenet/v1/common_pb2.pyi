from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Reason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REASON_UNSPECIFIED: _ClassVar[Reason]
    SETTLENET_ERROR: _ClassVar[Reason]
    INVALID_FIELD: _ClassVar[Reason]
    NOT_FOUND: _ClassVar[Reason]
    FAILED_PRECONDITION: _ClassVar[Reason]
    MSGID_REUSED_WITH_DIFFERENT_BODY: _ClassVar[Reason]
    NODE_UNAVAILABLE: _ClassVar[Reason]
    MSGID_BURNED: _ClassVar[Reason]
    MSGID_CORRECTED: _ClassVar[Reason]
    NOT_A_SETTLEMENT: _ClassVar[Reason]
    NOT_CROSS_PROVINCE_DESIGNATED: _ClassVar[Reason]
    VISIT_SETTLED: _ClassVar[Reason]
    VISIT_ALREADY_SETTLED: _ClassVar[Reason]
    LINE_ALREADY_UPLOADED: _ClassVar[Reason]
    NO_FEE_LINES: _ClassVar[Reason]
    ALREADY_REVOKED: _ClassVar[Reason]
    INSUTYPE_MISMATCH: _ClassVar[Reason]
    INSURANCE_SUSPENDED: _ClassVar[Reason]
    POLICY_NOT_IN_FORCE: _ClassVar[Reason]
    NO_SCHEME: _ClassVar[Reason]
    FILING_REQUIRED: _ClassVar[Reason]
    HOME_SETTLEMENT_NOT_ALLOWED: _ClassVar[Reason]
    CHRONIC_NOT_QUALIFIED: _ClassVar[Reason]
    FILING_OVERLAPS: _ClassVar[Reason]
    FILING_REVOKED: _ClassVar[Reason]
    QUALIFICATION_OVERLAPS: _ClassVar[Reason]
    QUALIFICATION_REVOKED: _ClassVar[Reason]
    ADVANCE_EXHAUSTED: _ClassVar[Reason]
    NOTHING_TO_TOP_UP: _ClassVar[Reason]
    NOTHING_TO_CLEAR: _ClassVar[Reason]
    UNRECONCILED: _ClassVar[Reason]
    EXISTS_WITH_DIFFERENT_FIELDS: _ClassVar[Reason]
    EXCEEDS_PENDING_AMOUNT: _ClassVar[Reason]
    PENDING_ALREADY_POSTED: _ClassVar[Reason]
    PENDING_ALREADY_VOIDED: _ClassVar[Reason]
    MONTH_NOT_ENDED: _ClassVar[Reason]
    IN_DOUBT_OUTSTANDING: _ClassVar[Reason]
    CREDENTIALS_MISSING: _ClassVar[Reason]
    CREDENTIALS_INVALID: _ClassVar[Reason]
    SIGNATURE_EXPIRED: _ClassVar[Reason]
    NONCE_REUSED: _ClassVar[Reason]
    NOT_PERMITTED: _ClassVar[Reason]
    SIGNED_OUT: _ClassVar[Reason]
    VISIT_CANCELLED: _ClassVar[Reason]
    VISIT_HAS_SETTLEMENT: _ClassVar[Reason]
    OVERLOADED: _ClassVar[Reason]
REASON_UNSPECIFIED: Reason
SETTLENET_ERROR: Reason
INVALID_FIELD: Reason
NOT_FOUND: Reason
FAILED_PRECONDITION: Reason
MSGID_REUSED_WITH_DIFFERENT_BODY: Reason
NODE_UNAVAILABLE: Reason
MSGID_BURNED: Reason
MSGID_CORRECTED: Reason
NOT_A_SETTLEMENT: Reason
NOT_CROSS_PROVINCE_DESIGNATED: Reason
VISIT_SETTLED: Reason
VISIT_ALREADY_SETTLED: Reason
LINE_ALREADY_UPLOADED: Reason
NO_FEE_LINES: Reason
ALREADY_REVOKED: Reason
INSUTYPE_MISMATCH: Reason
INSURANCE_SUSPENDED: Reason
POLICY_NOT_IN_FORCE: Reason
NO_SCHEME: Reason
FILING_REQUIRED: Reason
HOME_SETTLEMENT_NOT_ALLOWED: Reason
CHRONIC_NOT_QUALIFIED: Reason
FILING_OVERLAPS: Reason
FILING_REVOKED: Reason
QUALIFICATION_OVERLAPS: Reason
QUALIFICATION_REVOKED: Reason
ADVANCE_EXHAUSTED: Reason
NOTHING_TO_TOP_UP: Reason
NOTHING_TO_CLEAR: Reason
UNRECONCILED: Reason
EXISTS_WITH_DIFFERENT_FIELDS: Reason
EXCEEDS_PENDING_AMOUNT: Reason
PENDING_ALREADY_POSTED: Reason
PENDING_ALREADY_VOIDED: Reason
MONTH_NOT_ENDED: Reason
IN_DOUBT_OUTSTANDING: Reason
CREDENTIALS_MISSING: Reason
CREDENTIALS_INVALID: Reason
SIGNATURE_EXPIRED: Reason
NONCE_REUSED: Reason
NOT_PERMITTED: Reason
SIGNED_OUT: Reason
VISIT_CANCELLED: Reason
VISIT_HAS_SETTLEMENT: Reason
OVERLOADED: Reason

class RequestHeader(_message.Message):
    __slots__ = ("infno", "msgid", "mdtrtarea_admvs", "insuplc_admdvs", "fixmedins_code", "opter_type", "opter", "inf_time", "recer_sys_code", "infver", "opter_name", "fixmedins_name", "sign_no")
    INFNO_FIELD_NUMBER: _ClassVar[int]
    MSGID_FIELD_NUMBER: _ClassVar[int]
    MDTRTAREA_ADMVS_FIELD_NUMBER: _ClassVar[int]
    INSUPLC_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    FIXMEDINS_CODE_FIELD_NUMBER: _ClassVar[int]
    OPTER_TYPE_FIELD_NUMBER: _ClassVar[int]
    OPTER_FIELD_NUMBER: _ClassVar[int]
    INF_TIME_FIELD_NUMBER: _ClassVar[int]
    RECER_SYS_CODE_FIELD_NUMBER: _ClassVar[int]
    INFVER_FIELD_NUMBER: _ClassVar[int]
    OPTER_NAME_FIELD_NUMBER: _ClassVar[int]
    FIXMEDINS_NAME_FIELD_NUMBER: _ClassVar[int]
    SIGN_NO_FIELD_NUMBER: _ClassVar[int]
    infno: str
    msgid: str
    mdtrtarea_admvs: str
    insuplc_admdvs: str
    fixmedins_code: str
    opter_type: str
    opter: str
    inf_time: str
    recer_sys_code: str
    infver: str
    opter_name: str
    fixmedins_name: str
    sign_no: str
    def __init__(self, infno: _Optional[str] = ..., msgid: _Optional[str] = ..., mdtrtarea_admvs: _Optional[str] = ..., insuplc_admdvs: _Optional[str] = ..., fixmedins_code: _Optional[str] = ..., opter_type: _Optional[str] = ..., opter: _Optional[str] = ..., inf_time: _Optional[str] = ..., recer_sys_code: _Optional[str] = ..., infver: _Optional[str] = ..., opter_name: _Optional[str] = ..., fixmedins_name: _Optional[str] = ..., sign_no: _Optional[str] = ...) -> None: ...

class ResponseHeader(_message.Message):
    __slots__ = ("inf_refmsgid", "refmsg_time", "respond_time", "infcode", "msgid")
    INF_REFMSGID_FIELD_NUMBER: _ClassVar[int]
    REFMSG_TIME_FIELD_NUMBER: _ClassVar[int]
    RESPOND_TIME_FIELD_NUMBER: _ClassVar[int]
    INFCODE_FIELD_NUMBER: _ClassVar[int]
    MSGID_FIELD_NUMBER: _ClassVar[int]
    inf_refmsgid: str
    refmsg_time: str
    respond_time: str
    infcode: int
    msgid: str
    def __init__(self, inf_refmsgid: _Optional[str] = ..., refmsg_time: _Optional[str] = ..., respond_time: _Optional[str] = ..., infcode: _Optional[int] = ..., msgid: _Optional[str] = ...) -> None: ...

class Diagnosis(_message.Message):
    __slots__ = ("diag_code", "diag_name", "diag_type", "diag_srt_no", "diag_dept", "dise_dor_no", "dise_dor_name", "diag_time", "vali_flag")
    DIAG_CODE_FIELD_NUMBER: _ClassVar[int]
    DIAG_NAME_FIELD_NUMBER: _ClassVar[int]
    DIAG_TYPE_FIELD_NUMBER: _ClassVar[int]
    DIAG_SRT_NO_FIELD_NUMBER: _ClassVar[int]
    DIAG_DEPT_FIELD_NUMBER: _ClassVar[int]
    DISE_DOR_NO_FIELD_NUMBER: _ClassVar[int]
    DISE_DOR_NAME_FIELD_NUMBER: _ClassVar[int]
    DIAG_TIME_FIELD_NUMBER: _ClassVar[int]
    VALI_FLAG_FIELD_NUMBER: _ClassVar[int]
    diag_code: str
    diag_name: str
    diag_type: str
    diag_srt_no: int
    diag_dept: str
    dise_dor_no: str
    dise_dor_name: str
    diag_time: str
    vali_flag: str
    def __init__(self, diag_code: _Optional[str] = ..., diag_name: _Optional[str] = ..., diag_type: _Optional[str] = ..., diag_srt_no: _Optional[int] = ..., diag_dept: _Optional[str] = ..., dise_dor_no: _Optional[str] = ..., dise_dor_name: _Optional[str] = ..., diag_time: _Optional[str] = ..., vali_flag: _Optional[str] = ...) -> None: ...

class SetlDetail(_message.Message):
    __slots__ = ("fund_pay_type", "inscp_scp_amt", "crt_payb_lmt_amt", "fund_payamt", "fund_pay_type_name", "setl_proc_info")
    FUND_PAY_TYPE_FIELD_NUMBER: _ClassVar[int]
    INSCP_SCP_AMT_FIELD_NUMBER: _ClassVar[int]
    CRT_PAYB_LMT_AMT_FIELD_NUMBER: _ClassVar[int]
    FUND_PAYAMT_FIELD_NUMBER: _ClassVar[int]
    FUND_PAY_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    SETL_PROC_INFO_FIELD_NUMBER: _ClassVar[int]
    fund_pay_type: str
    inscp_scp_amt: int
    crt_payb_lmt_amt: int
    fund_payamt: int
    fund_pay_type_name: str
    setl_proc_info: str
    def __init__(self, fund_pay_type: _Optional[str] = ..., inscp_scp_amt: _Optional[int] = ..., crt_payb_lmt_amt: _Optional[int] = ..., fund_payamt: _Optional[int] = ..., fund_pay_type_name: _Optional[str] = ..., setl_proc_info: _Optional[str] = ...) -> None: ...

class SetlProcStep(_message.Message):
    __slots__ = ("step", "desc", "amount")
    STEP_FIELD_NUMBER: _ClassVar[int]
    DESC_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    step: str
    desc: str
    amount: int
    def __init__(self, step: _Optional[str] = ..., desc: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class SetlInfo(_message.Message):
    __slots__ = ("mdtrt_id", "setl_id", "psn_no", "psn_name", "psn_cert_type", "certno", "insutype", "psn_type", "cvlserv_flag", "setl_time", "med_type", "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "pool_prop_selfpay", "cvlserv_pay", "hifes_pay", "hifmi_pay", "hifob_pay", "maf_pay", "oth_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay", "hosp_part_amt", "balc", "acct_mulaid_pay", "medins_setl_id", "clr_optins", "clr_way", "clr_type", "insuplc_admdvs", "mdtrtarea_admvs", "fixmedins_code", "init_setl_id", "refd_setl_flag", "crt_payb_lmt_amt", "setldetail", "setl_proc_info", "opsp_dise_code", "filing_category", "filing_id", "ratio_reduction")
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    SETL_ID_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    PSN_NAME_FIELD_NUMBER: _ClassVar[int]
    PSN_CERT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CERTNO_FIELD_NUMBER: _ClassVar[int]
    INSUTYPE_FIELD_NUMBER: _ClassVar[int]
    PSN_TYPE_FIELD_NUMBER: _ClassVar[int]
    CVLSERV_FLAG_FIELD_NUMBER: _ClassVar[int]
    SETL_TIME_FIELD_NUMBER: _ClassVar[int]
    MED_TYPE_FIELD_NUMBER: _ClassVar[int]
    MEDFEE_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    FULAMT_OWNPAY_AMT_FIELD_NUMBER: _ClassVar[int]
    OVERLMT_SELFPAY_FIELD_NUMBER: _ClassVar[int]
    PRESELFPAY_AMT_FIELD_NUMBER: _ClassVar[int]
    INSCP_SCP_AMT_FIELD_NUMBER: _ClassVar[int]
    ACT_PAY_DEDC_FIELD_NUMBER: _ClassVar[int]
    HIFP_PAY_FIELD_NUMBER: _ClassVar[int]
    POOL_PROP_SELFPAY_FIELD_NUMBER: _ClassVar[int]
    CVLSERV_PAY_FIELD_NUMBER: _ClassVar[int]
    HIFES_PAY_FIELD_NUMBER: _ClassVar[int]
    HIFMI_PAY_FIELD_NUMBER: _ClassVar[int]
    HIFOB_PAY_FIELD_NUMBER: _ClassVar[int]
    MAF_PAY_FIELD_NUMBER: _ClassVar[int]
    OTH_PAY_FIELD_NUMBER: _ClassVar[int]
    FUND_PAY_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    PSN_PART_AMT_FIELD_NUMBER: _ClassVar[int]
    ACCT_PAY_FIELD_NUMBER: _ClassVar[int]
    PSN_CASH_PAY_FIELD_NUMBER: _ClassVar[int]
    HOSP_PART_AMT_FIELD_NUMBER: _ClassVar[int]
    BALC_FIELD_NUMBER: _ClassVar[int]
    ACCT_MULAID_PAY_FIELD_NUMBER: _ClassVar[int]
    MEDINS_SETL_ID_FIELD_NUMBER: _ClassVar[int]
    CLR_OPTINS_FIELD_NUMBER: _ClassVar[int]
    CLR_WAY_FIELD_NUMBER: _ClassVar[int]
    CLR_TYPE_FIELD_NUMBER: _ClassVar[int]
    INSUPLC_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    MDTRTAREA_ADMVS_FIELD_NUMBER: _ClassVar[int]
    FIXMEDINS_CODE_FIELD_NUMBER: _ClassVar[int]
    INIT_SETL_ID_FIELD_NUMBER: _ClassVar[int]
    REFD_SETL_FLAG_FIELD_NUMBER: _ClassVar[int]
    CRT_PAYB_LMT_AMT_FIELD_NUMBER: _ClassVar[int]
    SETLDETAIL_FIELD_NUMBER: _ClassVar[int]
    SETL_PROC_INFO_FIELD_NUMBER: _ClassVar[int]
    OPSP_DISE_CODE_FIELD_NUMBER: _ClassVar[int]
    FILING_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    FILING_ID_FIELD_NUMBER: _ClassVar[int]
    RATIO_REDUCTION_FIELD_NUMBER: _ClassVar[int]
    mdtrt_id: str
    setl_id: str
    psn_no: str
    psn_name: str
    psn_cert_type: str
    certno: str
    insutype: str
    psn_type: str
    cvlserv_flag: str
    setl_time: str
    med_type: str
    medfee_sumamt: int
    fulamt_ownpay_amt: int
    overlmt_selfpay: int
    preselfpay_amt: int
    inscp_scp_amt: int
    act_pay_dedc: int
    hifp_pay: int
    pool_prop_selfpay: str
    cvlserv_pay: int
    hifes_pay: int
    hifmi_pay: int
    hifob_pay: int
    maf_pay: int
    oth_pay: int
    fund_pay_sumamt: int
    psn_part_amt: int
    acct_pay: int
    psn_cash_pay: int
    hosp_part_amt: int
    balc: int
    acct_mulaid_pay: int
    medins_setl_id: str
    clr_optins: str
    clr_way: str
    clr_type: str
    insuplc_admdvs: str
    mdtrtarea_admvs: str
    fixmedins_code: str
    init_setl_id: str
    refd_setl_flag: str
    crt_payb_lmt_amt: int
    setldetail: _containers.RepeatedCompositeFieldContainer[SetlDetail]
    setl_proc_info: _containers.RepeatedCompositeFieldContainer[SetlProcStep]
    opsp_dise_code: str
    filing_category: str
    filing_id: str
    ratio_reduction: str
    def __init__(self, mdtrt_id: _Optional[str] = ..., setl_id: _Optional[str] = ..., psn_no: _Optional[str] = ..., psn_name: _Optional[str] = ..., psn_cert_type: _Optional[str] = ..., certno: _Optional[str] = ..., insutype: _Optional[str] = ..., psn_type: _Optional[str] = ..., cvlserv_flag: _Optional[str] = ..., setl_time: _Optional[str] = ..., med_type: _Optional[str] = ..., medfee_sumamt: _Optional[int] = ..., fulamt_ownpay_amt: _Optional[int] = ..., overlmt_selfpay: _Optional[int] = ..., preselfpay_amt: _Optional[int] = ..., inscp_scp_amt: _Optional[int] = ..., act_pay_dedc: _Optional[int] = ..., hifp_pay: _Optional[int] = ..., pool_prop_selfpay: _Optional[str] = ..., cvlserv_pay: _Optional[int] = ..., hifes_pay: _Optional[int] = ..., hifmi_pay: _Optional[int] = ..., hifob_pay: _Optional[int] = ..., maf_pay: _Optional[int] = ..., oth_pay: _Optional[int] = ..., fund_pay_sumamt: _Optional[int] = ..., psn_part_amt: _Optional[int] = ..., acct_pay: _Optional[int] = ..., psn_cash_pay: _Optional[int] = ..., hosp_part_amt: _Optional[int] = ..., balc: _Optional[int] = ..., acct_mulaid_pay: _Optional[int] = ..., medins_setl_id: _Optional[str] = ..., clr_optins: _Optional[str] = ..., clr_way: _Optional[str] = ..., clr_type: _Optional[str] = ..., insuplc_admdvs: _Optional[str] = ..., mdtrtarea_admvs: _Optional[str] = ..., fixmedins_code: _Optional[str] = ..., init_setl_id: _Optional[str] = ..., refd_setl_flag: _Optional[str] = ..., crt_payb_lmt_amt: _Optional[int] = ..., setldetail: _Optional[_Iterable[_Union[SetlDetail, _Mapping]]] = ..., setl_proc_info: _Optional[_Iterable[_Union[SetlProcStep, _Mapping]]] = ..., opsp_dise_code: _Optional[str] = ..., filing_category: _Optional[str] = ..., filing_id: _Optional[str] = ..., ratio_reduction: _Optional[str] = ...) -> None: ...

class FilingInfo(_message.Message):
    __slots__ = ("filing_id", "psn_no", "insuplc_admdvs", "category", "category_name", "dest_admdvs", "begndate", "enddate", "evidence", "channel", "status", "version", "memo")
    FILING_ID_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    INSUPLC_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_NAME_FIELD_NUMBER: _ClassVar[int]
    DEST_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    BEGNDATE_FIELD_NUMBER: _ClassVar[int]
    ENDDATE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    filing_id: str
    psn_no: str
    insuplc_admdvs: str
    category: str
    category_name: str
    dest_admdvs: str
    begndate: str
    enddate: str
    evidence: str
    channel: str
    status: str
    version: int
    memo: str
    def __init__(self, filing_id: _Optional[str] = ..., psn_no: _Optional[str] = ..., insuplc_admdvs: _Optional[str] = ..., category: _Optional[str] = ..., category_name: _Optional[str] = ..., dest_admdvs: _Optional[str] = ..., begndate: _Optional[str] = ..., enddate: _Optional[str] = ..., evidence: _Optional[str] = ..., channel: _Optional[str] = ..., status: _Optional[str] = ..., version: _Optional[int] = ..., memo: _Optional[str] = ...) -> None: ...

class ChronicQualInfo(_message.Message):
    __slots__ = ("qual_id", "psn_no", "opsp_dise_code", "opsp_dise_name", "begndate", "enddate", "status", "hosp_name")
    QUAL_ID_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    OPSP_DISE_CODE_FIELD_NUMBER: _ClassVar[int]
    OPSP_DISE_NAME_FIELD_NUMBER: _ClassVar[int]
    BEGNDATE_FIELD_NUMBER: _ClassVar[int]
    ENDDATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HOSP_NAME_FIELD_NUMBER: _ClassVar[int]
    qual_id: str
    psn_no: str
    opsp_dise_code: str
    opsp_dise_name: str
    begndate: str
    enddate: str
    status: str
    hosp_name: str
    def __init__(self, qual_id: _Optional[str] = ..., psn_no: _Optional[str] = ..., opsp_dise_code: _Optional[str] = ..., opsp_dise_name: _Optional[str] = ..., begndate: _Optional[str] = ..., enddate: _Optional[str] = ..., status: _Optional[str] = ..., hosp_name: _Optional[str] = ...) -> None: ...
