#!/bin/sh
# SPDX-License-Identifier: ISC
# Regenerate the build system from configure.ac and the Makefile.am files.
autoreconf -fi
