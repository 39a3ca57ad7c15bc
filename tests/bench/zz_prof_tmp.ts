import { coreThroughputRun } from "./core_throughput.ts";
await coreThroughputRun(500);
for (let i = 0; i < 2; i++) console.log(await coreThroughputRun(5000));
