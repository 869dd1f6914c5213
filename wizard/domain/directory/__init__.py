"""The service directory: listings in Open Referral HSDS 3.0, this wizard's taxonomy, and matching
services to a person's results and place. Pure: reading and writing HSDS files is here, storing
them is in `wizard.storage.directory`."""
