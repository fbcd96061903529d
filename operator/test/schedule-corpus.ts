// Schedules the resource's pattern lets through, careless and hostile ones included: the operator's cron
// checks (builders/cron-schedule.ts) are compared on them with what Kubernetes and Airflow themselves do.
export const ADMITTED_SCHEDULES = [
  '*/15 * * * *',
  '1-59/2 * * * *',
  '0 3 * * MON-FRI',
  '@hourly',
  '@annually',
  '0 0 29 2 *',
  '0 0 ? * MON',
  '0 0 * jan-mar sun',
  '0 0 30 2 1',
  '00 00 01 01 *',
  '*/90 * * * *',
  '0 0 1-31/40 * *',
  '*/99 */99 */99 */99 */99',
  '5-1 * * * *',
  '59-0 * * * *',
  '0 12 * DEC-JAN *',
  '0 0 * * SAT-SUN',
  '0 0 30 2 *',
  '0 0 31 4 *',
  '0 0 31 2,4,6,9,11 *',
];
