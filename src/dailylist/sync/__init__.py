"""`dailylist sync`: several devices, one journal, through git or a synced folder, with
everything in the remote encrypted (`crypto`). `remote` moves the files, `exchange` decides
what to send and take and merges journals. Imported by no other command but `status` and
`doctor` (for what a sync left: `exchange.read_config`).
"""
