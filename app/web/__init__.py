"""Server-rendered pages: thin routes that call services and render templates."""
