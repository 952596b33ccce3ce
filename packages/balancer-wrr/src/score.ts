/** The smooth-wrr score ("current weight") of one address; shared by every plan of a balancer. */
export interface Score {
  current: number;
}
