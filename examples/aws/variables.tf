variable "aws_region" {
  description = "Region of the log group, alarms and topic. null: the provider's chain (AWS_REGION, profile)."
  type        = string
  default     = null
}

variable "environment" {
  description = "The app's ENVIRONMENT (production, staging, ...). Part of the log group, alarm and query names."
  type        = string

  # The library turns any other character into "-" in the log group name but not in alarm
  # names; restricting the set keeps both names and the IAM ARNs below in agreement.
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,64}$", var.environment))
    error_message = "environment: 1-64 characters of A-Z a-z 0-9 _ . -"
  }
}

variable "service" {
  description = "The app's LMS_SERVICE_NAME (lms-backend, lms-api, ...)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,64}$", var.service))
    error_message = "service: 1-64 characters of A-Z a-z 0-9 _ . -"
  }
}

variable "retention_in_days" {
  description = "Log group retention. Set the same value as LMS_LOG_RETENTION_DAYS for `lms-logs setup`, or the two will keep changing it back."
  type        = number
  default     = 30

  validation {
    condition = contains(
      [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
      var.retention_in_days,
    )
    error_message = "retention_in_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (the address must confirm the subscription). null: no subscription."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address or null."
  }
}

variable "dashboard_name" {
  description = "LMS_CLOUDWATCH_DASHBOARD: the dashboard `lms-logs setup` maintains (the operator policy is scoped to it)."
  type        = string
  default     = "LMS-system-health"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.dashboard_name))
    error_message = "dashboard_name: letters, digits, - and _."
  }
}

variable "create_ecs_task_role" {
  description = "Create an ECS task role with the shipping policy."
  type        = bool
  default     = true
}

variable "create_ec2_instance_profile" {
  description = "Create an EC2 role and instance profile with the shipping policy (apps on EC2 instead of ECS)."
  type        = bool
  default     = false
}

variable "ec2_cloudwatch_agent_metrics" {
  description = "Also let the EC2 role publish the CloudWatch agent's CWAgent metrics (disk_used_percent for the low-disk alarm)."
  type        = bool
  default     = true
}

variable "operator_role_names" {
  description = "Existing IAM role names (CI deploy role, operators) to attach the `lms-logs setup` policy to."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}
