"""The faces of the service: the HTTP app and the command line. No domain logic here."""
