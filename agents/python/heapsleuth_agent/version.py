"""The agent's version: the same as the heapsleuth npm package it feeds."""

VERSION = "0.1.0"
