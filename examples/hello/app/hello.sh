#!/bin/sh
# Prints the greeting the image was built with.
echo "${GREETING:-hello}"
cat /srv/hello/static/motd.txt
