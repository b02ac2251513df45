"""`dailylist phone`: the day done from a phone on the same network, camera and all.

`app` is what the page does (the same core as the commands), `pages` its HTML, `form` the
reading of what the page sends, `server` the web server around them. None of it is
imported by any other command.
"""
