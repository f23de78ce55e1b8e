"""Operations commands: reporting logins, read replicas."""
