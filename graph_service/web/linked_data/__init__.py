"""Dereferenceable IRIs, whole-vocabulary dumps and the VoID description."""
