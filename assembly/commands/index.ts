// Every engine command handler, re-exported for the generated dispatch switch.
export { pingCommand, echoCommand } from "../t_connection";
