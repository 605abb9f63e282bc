"""Files as the product knows them: uploads (``uploads``), what posts and
comments carry (``attachments``), a space's files area (``area``), avatars
(``avatars``) and the collection of what is used nowhere (``garbage``). Who
may read a file is decided by ``app.access.readable_files``, nowhere here."""
