"""`dailylist phone`: the day done from a phone on the same network, camera and all.

`app` is what the page does (the same core as the commands), `pages` its HTML, `form` the
reading of what the page sends, `server` the web server around them and `gate` who may
connect to it, `serve` the command's run and `show` what it prints. None of it is imported
by any other command.
"""
