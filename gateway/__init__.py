"""The HTTP gateway: auth -> parse -> plan -> render -> execute -> respond."""
