"""The reference server: FastAPI over SQLAlchemy 2, the counterpart of the province's platform in pilots and tests."""
