"""The cluster's workspace: its report sections (every version kept), form values, evidence
and uploaded files, state and audit log; and the pages a cluster writer uses."""
