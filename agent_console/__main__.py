from agent_console.cli import main

main()
