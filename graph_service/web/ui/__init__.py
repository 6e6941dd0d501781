"""The browsing UI: home, vocabularies, search and the pages of dereferenced IRIs."""
