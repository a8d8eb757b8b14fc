"""What each staff role may do in admin: the one answer, applied to the groups on every migrate.

Least privilege. Who holds which role (users, groups, memberships) is the system administrator's
job, so no role may change users or groups. Councillors use the dashboards, not admin, so they
hold no model permission. Nobody but a superuser deletes a pledge (it is withdrawn or erased), a
balance sheet or reference data. The services check the workflow rules on top of these (only the
CWB Group validates or returns, whatever its Django permissions).

This lives in the top layer because it names every app's permissions.
"""

from django.db import DEFAULT_DB_ALIAS

from core.roles import COUNCILLORS, CWB_GROUP, DATA_PROTECTION, OFFICERS, roles_apply

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    OFFICERS: frozenset(
        {
            # Neighbourhood data: officers curate it and correct a postcode's ward; loading the
            # ONS directory is the import command's job.
            "neighbourhoods.view_council",
            "neighbourhoods.change_council",
            "neighbourhoods.view_neighbourhood",
            "neighbourhoods.change_neighbourhood",
            "neighbourhoods.view_ward",
            "neighbourhoods.add_ward",
            "neighbourhoods.change_ward",
            "neighbourhoods.view_membership",
            "neighbourhoods.view_postcodelookup",
            "neighbourhoods.change_postcodelookup",
            # The CWB framework: officers enter metric values and LM3 studies, upload the
            # council's spend files (an ImportBatch is one upload) and correct suppliers' locality.
            "metrics.view_foundation",
            "metrics.change_foundation",
            "metrics.view_metric",
            "metrics.view_metricvalue",
            "metrics.add_metricvalue",
            "metrics.change_metricvalue",
            "metrics.view_metricvaluechange",
            "metrics.view_lm3study",
            "metrics.add_lm3study",
            "metrics.change_lm3study",
            "metrics.view_importbatch",
            "metrics.add_importbatch",
            # An upload waits in review: officers publish or discard it, or withdraw it later.
            "metrics.publish_importbatch",
            "metrics.view_spendtransaction",
            "metrics.view_supplier",
            "metrics.change_supplier",
            # How each publishing body's files name their columns, saved at import: officers
            # correct them.
            "metrics.view_spendcolumnmapping",
            "metrics.add_spendcolumnmapping",
            "metrics.change_spendcolumnmapping",
            "metrics.delete_spendcolumnmapping",
            # Pledges: officers moderate pledges and updates, type in pledges received on paper,
            # by phone or by email, and curate the commitments, rejection reasons and campaigns.
            "pledges.view_commitment",
            "pledges.add_commitment",
            "pledges.change_commitment",
            "pledges.view_pledge",
            "pledges.add_pledge",
            "pledges.change_pledge",
            "pledges.view_pledgeupdate",
            "pledges.change_pledgeupdate",
            "pledges.view_moderationevent",  # read only: the history before the audit trail
            "pledges.view_rejectionreason",
            "pledges.add_rejectionreason",
            "pledges.change_rejectionreason",
            "pledges.view_campaign",
            "pledges.add_campaign",
            "pledges.change_campaign",
            "outbox.view_outboundemail",
            # Balance sheets: officers curate the indicator library, enter and submit sheets,
            # publish and restate them.
            "balancesheets.view_capital",
            "balancesheets.change_capital",
            "balancesheets.view_indicator",
            "balancesheets.add_indicator",
            "balancesheets.change_indicator",
            "balancesheets.view_proxyvalue",
            "balancesheets.add_proxyvalue",
            "balancesheets.change_proxyvalue",
            "balancesheets.view_balancesheet",
            "balancesheets.add_balancesheet",
            "balancesheets.change_balancesheet",
            "balancesheets.submit_balancesheet",
            "balancesheets.publish_balancesheet",
            "balancesheets.view_balancesheetline",
            "balancesheets.add_balancesheetline",
            "balancesheets.change_balancesheetline",
            "balancesheets.delete_balancesheetline",
            "balancesheets.view_balancesheetevent",
            # Influenceable spend: officers keep the register of public bodies and the rules
            # that leave payments out (each with its reason; a rule is switched off, not deleted).
            "metrics.view_publicbody",
            "metrics.add_publicbody",
            "metrics.change_publicbody",
            "metrics.view_publicbodyname",
            "metrics.add_publicbodyname",
            "metrics.change_publicbodyname",
            "metrics.delete_publicbodyname",
            "metrics.view_spendexclusionrule",
            "metrics.add_spendexclusionrule",
            "metrics.change_spendexclusionrule",
        }
    ),
    # The CWB Group reads everything; it changes metric values only to validate or return them,
    # and validates or returns submitted balance sheets.
    CWB_GROUP: frozenset(
        {
            "neighbourhoods.view_council",
            "neighbourhoods.view_neighbourhood",
            "neighbourhoods.view_ward",
            "neighbourhoods.view_membership",
            "neighbourhoods.view_postcodelookup",
            "metrics.view_foundation",
            "metrics.view_metric",
            "metrics.view_metricvalue",
            "metrics.change_metricvalue",
            "metrics.view_metricvaluechange",
            "metrics.view_lm3study",
            "metrics.view_importbatch",
            "metrics.view_spendtransaction",
            "metrics.view_supplier",
            "metrics.view_spendcolumnmapping",
            "pledges.view_commitment",
            "pledges.view_pledge",
            "pledges.view_pledgeupdate",
            "pledges.view_moderationevent",
            "pledges.view_campaign",
            "balancesheets.view_capital",
            "balancesheets.view_indicator",
            "balancesheets.view_proxyvalue",
            "balancesheets.view_balancesheet",
            "balancesheets.validate_balancesheet",
            "balancesheets.view_balancesheetline",
            "balancesheets.view_balancesheetevent",
            "metrics.view_publicbody",
            "metrics.view_publicbodyname",
            "metrics.view_spendexclusionrule",
        }
    ),
    COUNCILLORS: frozenset(),
    # Named data-protection staff answer data subjects: they read pledges, their emails and the
    # log of who saw personal data, and export or erase everything held about an address. They
    # see contact details everywhere (audit.access); they change nothing else.
    DATA_PROTECTION: frozenset(
        {
            "pledges.view_pledge",
            "pledges.view_pledgeupdate",
            "pledges.view_moderationevent",
            "outbox.view_outboundemail",
            "audit.view_personaldataview",
            "audit.view_subjectrequest",
            "audit.view_consentchange",
            "audit.export_subject_data",
            "audit.erase_subject_data",
        }
    ),
}


def staff_roles_apply(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Make the staff groups match ROLE_PERMISSIONS exactly."""
    roles_apply(ROLE_PERMISSIONS, using=using)
