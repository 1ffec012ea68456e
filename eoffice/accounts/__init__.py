"""Users, roles, login and the single place where role checks live."""
