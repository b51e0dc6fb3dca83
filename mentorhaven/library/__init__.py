"""The program library: articles, links, documents and videos for a program's people."""
