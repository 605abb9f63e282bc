"""Uploaded files below the services: where bytes are kept (``store``), what they
are (``kinds``, decided from the bytes), what is done to images (``images``) and
how an upload is read off the wire without holding it in memory (``upload``)."""
