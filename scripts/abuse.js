#!/usr/bin/env node
import { start } from "./launcher.js";
await start("abuse");
