import { describeStack } from "./stack-assertions.js";

describeStack("prod");
