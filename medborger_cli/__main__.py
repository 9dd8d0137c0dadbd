from medborger_cli.cli import main

main()
