"""`dailylist sync`: several devices, one journal, through git or a synced folder, with
everything in the remote encrypted. `commands` holds setup, join and sync; `exchange` what
a sync sends and takes for each list, `merge` how a remote's events join a journal,
`remote` how files move (git, or a folder), `crypto` the age encryption and the names,
`config` what a device keeps of its sync, `show` what a sync says. Imported by no other
command but `status` and `doctor` (which read `config`).
"""
