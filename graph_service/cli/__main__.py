"""`python -m graph_service.cli`: the graph-service command."""

from graph_service.cli import main

if __name__ == "__main__":
    main()
