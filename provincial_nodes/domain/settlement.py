"""A settlement as both roles see it (setlinfo), and its revocation record."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from provincial_nodes.domain.catalogue import ClaimTotals
from provincial_nodes.domain.split import FundPayment, Step


@dataclass(frozen=True)
class Settlement:
    """The insured place's answer for one claim; ``setl_id`` empty for a pre-settlement."""

    setl_id: str
    mdtrt_id: str
    psn_no: str
    psn_name: str
    certno: str
    insutype: str
    psn_type: str
    cvlserv_flag: str
    setl_time: str
    med_type: str
    totals: ClaimTotals
    act_pay_dedc: int
    hifp_pay: int
    ratio_bp: int
    fund_pay_sumamt: int
    psn_part_amt: int
    acct_pay: int
    psn_cash_pay: int
    balc: int
    crt_payb_lmt_amt: int
    medins_setl_id: str
    insuplc_admdvs: str
    mdtrtarea_admvs: str
    fixmedins_code: str
    funds: tuple[FundPayment, ...] = ()
    steps: tuple[Step, ...] = ()
    cvlserv_pay: int = 0
    hifes_pay: int = 0
    hifmi_pay: int = 0
    hifob_pay: int = 0
    maf_pay: int = 0
    oth_pay: int = 0
    hosp_part_amt: int = 0
    acct_mulaid_pay: int = 0
    init_setl_id: str = ""
    refd_setl_flag: str = "0"
    clr_way: str = "1"
    clr_type: str = "11"
    opsp_dise_code: str = ""
    filing_category: str = ""
    """The basis the ratio was chosen on: a filing category, "emergency", "referral" (an
    unfiled referral), "none" (unfiled) or "local"."""
    filing_id: str = ""
    ratio_reduction_bp: int = 0

    @property
    def clr_optins(self) -> str:
        return self.insuplc_admdvs

    def identity_errors(self) -> list[str]:
        """Which of DESIGN.md's identities fail (empty when all hold)."""
        t = self.totals
        problems = []
        if t.medfee_sumamt != (
            t.fulamt_ownpay_amt + t.overlmt_selfpay + t.preselfpay_amt + t.inscp_scp_amt
        ):
            problems.append("medfee_sumamt != fulamt + overlmt + preselfpay + inscp")
        funds = (
            self.hifp_pay
            + self.cvlserv_pay
            + self.hifes_pay
            + self.hifmi_pay
            + self.hifob_pay
            + self.maf_pay
            + self.oth_pay
        )
        if self.fund_pay_sumamt != funds:
            problems.append("fund_pay_sumamt != sum of fund fields")
        if self.fund_pay_sumamt != sum(f.fund_payamt for f in self.funds):
            problems.append("fund_pay_sumamt != sum(setldetail.fund_payamt)")
        if self.psn_part_amt != t.medfee_sumamt - self.fund_pay_sumamt - self.hosp_part_amt:
            problems.append("psn_part_amt != medfee - fund - hosp_part")
        if self.psn_part_amt != self.acct_pay + self.psn_cash_pay:
            problems.append("psn_part_amt != acct_pay + psn_cash_pay")
        return problems

    def reversal(self, setl_id: str, msgid: str, setl_time: str, balc: int) -> Settlement:
        """The revocation record: every amount negated, pointing at this settlement."""
        t = self.totals
        neg_totals = ClaimTotals(
            -t.medfee_sumamt,
            -t.fulamt_ownpay_amt,
            -t.overlmt_selfpay,
            -t.preselfpay_amt,
            -t.inscp_scp_amt,
        )
        funds = tuple(
            dataclasses.replace(f, inscp_scp_amt=-f.inscp_scp_amt, fund_payamt=-f.fund_payamt)
            for f in self.funds
        )
        return dataclasses.replace(
            self,
            setl_id=setl_id,
            setl_time=setl_time,
            totals=neg_totals,
            act_pay_dedc=-self.act_pay_dedc,
            hifp_pay=-self.hifp_pay,
            fund_pay_sumamt=-self.fund_pay_sumamt,
            psn_part_amt=-self.psn_part_amt,
            acct_pay=-self.acct_pay,
            psn_cash_pay=-self.psn_cash_pay,
            balc=balc,
            cvlserv_pay=-self.cvlserv_pay,
            hifes_pay=-self.hifes_pay,
            hifmi_pay=-self.hifmi_pay,
            hifob_pay=-self.hifob_pay,
            maf_pay=-self.maf_pay,
            oth_pay=-self.oth_pay,
            acct_mulaid_pay=-self.acct_mulaid_pay,
            funds=funds,
            steps=(Step("revocation", f"revokes settlement {self.setl_id}", -t.medfee_sumamt),),
            medins_setl_id=msgid,
            init_setl_id=self.setl_id,
            refd_setl_flag="1",
            crt_payb_lmt_amt=0,
        )
